"""Amazon MQ: brokers with their public accessibility, engine, logs and encryption.

``DescribeBroker`` lists a broker's users by name only: Amazon MQ never returns their
passwords, so ``Users`` carries each ``Username`` and nothing else.
"""

from __future__ import annotations

from typing import Any

from scanner.aws.context import REGIONAL, CollectContext, Collector
from scanner.aws.shapes import drop_none, with_tags

TYPES = ("AWS::AmazonMQ::Broker",)
SAME_NAME = (
    "BrokerName",
    "EngineType",
    "EngineVersion",
    "HostInstanceType",
    "DeploymentMode",
    "PubliclyAccessible",
    "AutoMinorVersionUpgrade",
    "AuthenticationStrategy",
    "StorageType",
    "SubnetIds",
    "SecurityGroups",
)


def collect(ctx: CollectContext) -> None:
    for summary in ctx.pages("ListBrokers", "BrokerSummaries", lists=TYPES).items():
        answer = ctx.call("DescribeBroker", BrokerId=summary["BrokerId"],
                          absent=("NotFoundException",), lists=TYPES)  # fmt: skip
        if answer.failed or not answer.data:
            continue  # recorded, or deleted between the listing and now
        broker = answer.data
        tags = {str(k): str(v) for k, v in (broker.get("Tags") or {}).items()}
        ctx.add("AWS::AmazonMQ::Broker", broker["BrokerArn"], broker.get("BrokerName"),
                with_tags(broker_properties(broker), tags), tags=tags)  # fmt: skip


def broker_properties(broker: dict[str, Any]) -> dict[str, Any]:
    """A ``DescribeBroker`` answer in the shape of ``AWS::AmazonMQ::Broker`` properties."""
    props: dict[str, Any] = {k: broker[k] for k in SAME_NAME if broker.get(k) is not None}
    logs = broker.get("Logs")
    if logs is not None:
        props["Logs"] = drop_none({"Audit": logs.get("Audit"), "General": logs.get("General")})
    encryption = broker.get("EncryptionOptions") or {}
    if encryption:
        props["EncryptionOptions"] = drop_none(
            {
                "UseAwsOwnedKey": encryption.get("UseAwsOwnedKey"),
                "KmsKeyId": encryption.get("KmsKeyId"),
            }
        )
    props["Users"] = [
        {"Username": user["Username"]} for user in broker.get("Users") or [] if "Username" in user
    ]
    return props


COLLECTORS = (Collector("mq.brokers", "mq", REGIONAL, collect, TYPES),)
