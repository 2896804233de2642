"""IAM writer: the account password policy (``scanner.aws.iam_account``).

``UpdateAccountPasswordPolicy`` replaces the whole policy, so every call passes every
setting: the ones the change makes stronger and all the others as they were. The
remedy, for every password policy rule without a fix clause, raises settings to the
CIS AWS Foundations values (length 14, reuse prevention 24, expiry after 90 days, all
four character classes), one setting if that makes the policy pass, else the four
character classes, else all the weaker ones; a policy that asks for more than that is
left alone (the value would be guessed).

Access keys: a user's keys are only ever deactivated (and, by undo, activated again),
never deleted or created. That is a credential change: it is planned only with
``--allow-credential-changes``. The remedy, for every user policy without a fix clause,
deactivates the active keys the policy objects to: each one it still passes with stays
active (of two active keys, the second is deactivated when the policy allows one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.aws.writers.base import Call, Edit, Judge, PropertyWriter, Remedy, Target, target_of
from scanner.model import Resource

POLICY_TYPE = "Pacscan::IAM::PasswordPolicy"
SETTINGS = (
    "MinimumPasswordLength",
    "RequireSymbols",
    "RequireNumbers",
    "RequireUppercaseCharacters",
    "RequireLowercaseCharacters",
    "AllowUsersToChangePassword",
    "MaxPasswordAge",
    "PasswordReusePrevention",
    "HardExpiry",
)
CHARACTER_CLASSES = (
    "RequireSymbols",
    "RequireNumbers",
    "RequireUppercaseCharacters",
    "RequireLowercaseCharacters",
)
BASELINE: dict[str, Any] = {
    "MinimumPasswordLength": 14,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "PasswordReusePrevention": 24,
    "MaxPasswordAge": 90,
}


def _password_policy(target: Target, old: Any, new: Any) -> list[Call]:
    if not new:
        return [Call("iam", "DeleteAccountPasswordPolicy", {})]
    parameters = {key: new[key] for key in SETTINGS if key in new}
    return [Call("iam", "UpdateAccountPasswordPolicy", parameters)]


def _weaker(key: str, current: Any) -> bool:
    wanted = BASELINE[key]
    if type(wanted) is bool:
        return current is not True
    if type(current) is not int:
        return True
    return current > wanted if key == "MaxPasswordAge" else current < wanted


def baseline(resource: Resource, _: Mapping[str, Resource], judge: Judge) -> list[Edit] | str:
    current = dict(resource.properties)
    weaker = [key for key in BASELINE if _weaker(key, current.get(key))]
    classes = [key for key in weaker if key in CHARACTER_CLASSES]
    candidates = [[key] for key in weaker] + [classes, weaker]
    for keys in candidates:
        after = {**current, **{key: BASELINE[key] for key in keys}}
        if judge(after) == "pass":
            return [Edit(target_of(resource), "", current or None, after)]
    return "value would be guessed: the policy asks for more than the CIS baseline"


USER_TYPE = "AWS::IAM::User"
MAX_KEYS = 10  # IAM allows two keys per user; more is not a listing to act on


def _access_keys(target: Target, old: Any, new: Any) -> list[Call]:
    before = {k.get("AccessKeyId"): k.get("Status") for k in old or [] if type(k) is dict}
    calls = []
    for key in new or []:
        key_id = key.get("AccessKeyId") if type(key) is dict else None
        if key_id in before and key.get("Status") != before[key_id]:
            parameters = {"UserName": target.name, "AccessKeyId": key_id, "Status": key["Status"]}
            calls.append(Call("iam", "UpdateAccessKey", parameters))
    return calls


def deactivate_keys(
    resource: Resource, _: Mapping[str, Resource], judge: Judge
) -> list[Edit] | str:
    props = dict(resource.properties)
    keys = props.get("AccessKeys")
    if type(keys) is not list or len(keys) > MAX_KEYS:
        return "value would be guessed: the user's access keys could not be read"
    active = [n for n, k in enumerate(keys) if type(k) is dict and k.get("Status") == "Active"]

    def passes(off: set[int]) -> bool:
        changed = [{**k, "Status": "Inactive"} if n in off else k for n, k in enumerate(keys)]
        return judge({**props, "AccessKeys": changed}) == "pass"

    off = set(active)
    if not active or not passes(off):
        return "value would be guessed: deactivating access keys does not make the policy pass"
    for number in active:  # keep every key the policy does not object to
        if passes(off - {number}):
            off.discard(number)
    after = [{**k, "Status": "Inactive"} if n in off else k for n, k in enumerate(keys)]
    return [Edit(target_of(resource), "AccessKeys", keys, after)]


WRITERS = (
    PropertyWriter(USER_TYPE, "AccessKeys", _access_keys,
                   ("iam:ListAccessKeys", "iam:UpdateAccessKey"), credential=True),
    PropertyWriter(POLICY_TYPE, "", _password_policy,
                   ("iam:GetAccountPasswordPolicy", "iam:UpdateAccountPasswordPolicy",
                    "iam:DeleteAccountPasswordPolicy")),
)  # fmt: skip

REMEDIES = (
    Remedy(USER_TYPE, deactivate_keys,
           "deactivates the active access keys the policy objects to (never deletes one); "
           "needs --allow-credential-changes"),
    Remedy(POLICY_TYPE, baseline,
           "raises the password policy setting the rule checks to the CIS baseline"),
)  # fmt: skip
