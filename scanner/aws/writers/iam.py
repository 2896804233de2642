"""IAM writer: the account password policy (``scanner.aws.iam_account``).

``UpdateAccountPasswordPolicy`` replaces the whole policy, so every call passes every
setting: the ones the change makes stronger and all the others as they were. The
remedy, for every password policy rule without a fix clause, raises settings to the
CIS AWS Foundations values (length 14, reuse prevention 24, expiry after 90 days, all
four character classes), one setting if that makes the policy pass, else the four
character classes, else all the weaker ones; a policy that asks for more than that is
left alone (the value would be guessed). No access key or password is touched.
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


WRITERS = (
    PropertyWriter(POLICY_TYPE, "", _password_policy,
                   ("iam:GetAccountPasswordPolicy", "iam:UpdateAccountPasswordPolicy",
                    "iam:DeleteAccountPasswordPolicy")),
)  # fmt: skip

REMEDIES = (
    Remedy(POLICY_TYPE, baseline,
           "raises the password policy setting the rule checks to the CIS baseline"),
)  # fmt: skip
