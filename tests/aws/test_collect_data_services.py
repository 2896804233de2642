"""Neptune clusters, RDS parameter groups, MSK clusters, Firehose delivery streams and
Amazon MQ brokers against moto: the collected shape, and the verdicts of the built-in
policies that target them."""

from __future__ import annotations

from typing import Any

from moto_fixtures import ACCOUNT, MotoAWS, resources_of
from test_audit import audit, name_of

ROLE = f"arn:aws:iam::{ACCOUNT}:role/delivery"


def _subnets(aws: MotoAWS) -> list[str]:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for n, zone in ((1, "us-east-1a"), (2, "us-east-1b"))
    ]


def test_neptune_clusters_and_only_them(aws: MotoAWS) -> None:
    neptune = aws.client("neptune")
    neptune.create_db_cluster(DBClusterIdentifier="graph", Engine="neptune",
                              StorageEncrypted=True, EnableCloudwatchLogsExports=["audit"],
                              Tags=[{"Key": "team", "Value": "data"}])  # fmt: skip
    neptune.create_db_cluster(DBClusterIdentifier="open-graph", Engine="neptune",
                              StorageEncrypted=False)  # fmt: skip
    aws.client("rds").create_db_cluster(
        DBClusterIdentifier="aurora", Engine="aurora-postgresql",
        MasterUsername="app", MasterUserPassword="Pa55word!Pa55word",
    )  # fmt: skip
    snapshot, done = aws.collect("--service", "neptune")
    assert done.returncode == 0, snapshot["errors"]
    clusters = resources_of(snapshot, "AWS::Neptune::DBCluster")
    assert sorted(clusters) == ["graph", "open-graph"]
    graph = clusters["graph"]
    assert graph["id"] == f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:graph"
    assert graph["properties"]["StorageEncrypted"] is True
    assert graph["properties"]["EnableCloudwatchLogsExports"] == ["audit"]
    assert graph["properties"]["Tags"] == [{"Key": "team", "Value": "data"}]
    assert graph["tags"] == {"team": "data"}
    assert clusters["open-graph"]["properties"]["EnableCloudwatchLogsExports"] == []
    assert audit(aws, ["neptune"], ["PAC-NEPTUNE-001", "PAC-NEPTUNE-002"]) == {
        ("PAC-NEPTUNE-001", "graph"): "pass",
        ("PAC-NEPTUNE-002", "graph"): "pass",
        ("PAC-NEPTUNE-001", "open-graph"): "fail",
        ("PAC-NEPTUNE-002", "open-graph"): "fail",
    }
    # the RDS cluster collector leaves Neptune clusters to this one
    snapshot, _ = aws.collect("--service", "rds")
    assert sorted(resources_of(snapshot, "AWS::RDS::DBCluster")) == ["aurora"]


def test_parameter_groups_hold_the_parameters_set_in_them(aws: MotoAWS) -> None:
    rds = aws.client("rds")
    for name, family in (("pg-tls", "postgres14"), ("pg-plain", "postgres14")):
        rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily=family,
                                      Description=name)  # fmt: skip
    rds.modify_db_parameter_group(DBParameterGroupName="pg-tls", Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}
    ])  # fmt: skip
    rds.modify_db_parameter_group(DBParameterGroupName="pg-plain", Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "0", "ApplyMethod": "pending-reboot"}
    ])  # fmt: skip
    for name in ("mysql-tls", "mysql-plain"):
        rds.create_db_cluster_parameter_group(DBClusterParameterGroupName=name,
                                              DBParameterGroupFamily="aurora-mysql8.0",
                                              Description=name)  # fmt: skip
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName="mysql-tls", Parameters=[
        {"ParameterName": "require_secure_transport", "ParameterValue": "ON",
         "ApplyMethod": "immediate"}
    ])  # fmt: skip
    aws.client("docdb").create_db_cluster_parameter_group(
        DBClusterParameterGroupName="documents", DBParameterGroupFamily="docdb5.0",
        Description="documents",
    )  # fmt: skip
    snapshot, done = aws.collect("--service", "rds")
    assert done.returncode == 0, snapshot["errors"]
    groups = resources_of(snapshot, "AWS::RDS::DBParameterGroup")
    assert groups["pg-tls"]["id"] == f"arn:aws:rds:us-east-1:{ACCOUNT}:pg:pg-tls"
    assert groups["pg-tls"]["properties"] == {
        "DBParameterGroupName": "pg-tls",
        "Family": "postgres14",
        "Description": "pg-tls",
        "Parameters": {"rds.force_ssl": "1"},
    }
    cluster_groups = resources_of(snapshot, "AWS::RDS::DBClusterParameterGroup")
    assert sorted(cluster_groups) == ["mysql-plain", "mysql-tls"]  # not the DocumentDB group
    assert cluster_groups["mysql-tls"]["properties"]["Parameters"] == {
        "require_secure_transport": "ON"
    }
    assert cluster_groups["mysql-plain"]["properties"]["Parameters"] == {}
    verdicts = audit(aws, ["rds"], ["PAC-RDS-024"])
    assert {k: v for k, v in verdicts.items() if not k[1].startswith("default")} == {
        ("PAC-RDS-024", "pg-tls"): "pass",
        ("PAC-RDS-024", "pg-plain"): "fail",
        ("PAC-RDS-024", "mysql-tls"): "pass",
        ("PAC-RDS-024", "mysql-plain"): "fail",
    }


def _msk(aws: MotoAWS, name: str, subnets: list[str], **settings: Any) -> str:
    broker = {"InstanceType": "kafka.m5.large", "ClientSubnets": subnets}
    broker.update(settings.pop("broker", {}))
    answer = aws.client("kafka").create_cluster(
        ClusterName=name, KafkaVersion="3.5.1", NumberOfBrokerNodes=2,
        BrokerNodeGroupInfo=broker, **settings,
    )  # fmt: skip
    return str(answer["ClusterArn"])


def test_msk_clusters(aws: MotoAWS) -> None:
    subnets = _subnets(aws)
    sealed = _msk(
        aws, "sealed", subnets,
        broker={"ConnectivityInfo": {"PublicAccess": {"Type": "DISABLED"}}},
        EncryptionInfo={"EncryptionInTransit": {"ClientBroker": "TLS", "InCluster": True},
                        "EncryptionAtRest": {"DataVolumeKMSKeyId": "alias/kafka"}},
        ClientAuthentication={"Sasl": {"Iam": {"Enabled": True}}},
        LoggingInfo={"BrokerLogs": {"CloudWatchLogs": {"Enabled": True, "LogGroup": "kafka"}}},
        Tags={"team": "streams"},
    )  # fmt: skip
    exposed = _msk(
        aws, "exposed", subnets,
        broker={"ConnectivityInfo": {"PublicAccess": {"Type": "SERVICE_PROVIDED_EIPS"}}},
        EncryptionInfo={"EncryptionInTransit": {"ClientBroker": "TLS_PLAINTEXT"}},
    )  # fmt: skip
    snapshot, done = aws.collect("--service", "kafka")
    assert done.returncode == 0, snapshot["errors"]
    clusters = resources_of(snapshot, "AWS::MSK::Cluster")
    props = clusters["sealed"]["properties"]
    assert clusters["sealed"]["id"] == sealed
    assert props["EncryptionInfo"]["EncryptionInTransit"] == {"ClientBroker": "TLS",
                                                              "InCluster": True}  # fmt: skip
    assert props["EncryptionInfo"]["EncryptionAtRest"] == {"DataVolumeKMSKeyId": "alias/kafka"}
    assert props["ClientAuthentication"] == {"Sasl": {"Iam": {"Enabled": True}}}
    logs = props["LoggingInfo"]["BrokerLogs"]["CloudWatchLogs"]
    assert logs == {"Enabled": True, "LogGroup": "kafka"}
    assert props["BrokerNodeGroupInfo"]["ConnectivityInfo"] == {
        "PublicAccess": {"Type": "DISABLED"}
    }
    assert props["BrokerNodeGroupInfo"]["ClientSubnets"] == subnets
    assert (props["KafkaVersion"], props["NumberOfBrokerNodes"]) == ("3.5.1", 2)
    assert props["Tags"] == {"team": "streams"} == clusters["sealed"]["tags"]
    assert audit(aws, ["kafka"], ["PAC-MSK-001", "PAC-MSK-050"]) == {
        ("PAC-MSK-001", name_of(sealed)): "pass",
        ("PAC-MSK-050", name_of(sealed)): "pass",
        ("PAC-MSK-001", name_of(exposed)): "fail",
        ("PAC-MSK-050", name_of(exposed)): "fail",
    }


def test_firehose_delivery_streams(aws: MotoAWS) -> None:
    firehose = aws.client("firehose")
    destination = {"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::landing"}
    firehose.create_delivery_stream(
        DeliveryStreamName="sealed", DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration=destination,
        DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
    )  # fmt: skip
    firehose.create_delivery_stream(DeliveryStreamName="plain", DeliveryStreamType="DirectPut",
                                    ExtendedS3DestinationConfiguration=destination)  # fmt: skip
    snapshot, done = aws.collect("--service", "firehose")
    assert done.returncode == 0, snapshot["errors"]
    streams = resources_of(snapshot, "AWS::KinesisFirehose::DeliveryStream")
    assert streams["sealed"]["id"] == f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/sealed"
    assert streams["sealed"]["properties"] == {
        "DeliveryStreamName": "sealed",
        "DeliveryStreamType": "DirectPut",
        "DeliveryStreamEncryptionConfigurationInput": {"KeyType": "AWS_OWNED_CMK"},
    }
    assert "DeliveryStreamEncryptionConfigurationInput" not in streams["plain"]["properties"]
    assert audit(aws, ["firehose"], ["PAC-FIREHOSE-001"]) == {
        ("PAC-FIREHOSE-001", "sealed"): "pass",
        ("PAC-FIREHOSE-001", "plain"): "fail",
    }


def test_firehose_listing_is_read_page_by_page(aws: MotoAWS) -> None:
    firehose = aws.client("firehose")
    destination = {"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::landing"}
    names = [f"stream-{n:02d}" for n in range(13)]  # more than one page of 10
    for name in names:
        firehose.create_delivery_stream(DeliveryStreamName=name,
                                        ExtendedS3DestinationConfiguration=destination)  # fmt: skip
    snapshot, done = aws.collect("--service", "firehose")
    assert done.returncode == 0, snapshot["errors"]
    assert sorted(resources_of(snapshot, "AWS::KinesisFirehose::DeliveryStream")) == names


def _broker(aws: MotoAWS, name: str, public: bool, audit_logs: bool) -> str:
    answer = aws.client("mq").create_broker(
        BrokerName=name, EngineType="ACTIVEMQ", EngineVersion="5.17.6",
        HostInstanceType="mq.t3.micro", DeploymentMode="SINGLE_INSTANCE",
        PubliclyAccessible=public, AutoMinorVersionUpgrade=True,
        Users=[{"Username": "app", "Password": "a-broker-password-never-returned"}],
        Logs={"Audit": audit_logs, "General": True}, Tags={"team": "queues"},
    )  # fmt: skip
    return str(answer["BrokerArn"])


def test_mq_brokers_without_passwords(aws: MotoAWS) -> None:
    private = _broker(aws, "private", public=False, audit_logs=True)
    public = _broker(aws, "public", public=True, audit_logs=False)
    snapshot, done = aws.collect("--service", "mq")
    assert done.returncode == 0, snapshot["errors"]
    assert "a-broker-password" not in str(snapshot)
    brokers = resources_of(snapshot, "AWS::AmazonMQ::Broker")
    props = brokers["private"]["properties"]
    assert brokers["private"]["id"] == private
    assert props["PubliclyAccessible"] is False
    assert (props["EngineType"], props["EngineVersion"]) == ("ACTIVEMQ", "5.17.6")
    assert props["Logs"] == {"Audit": True, "General": True}
    assert props["EncryptionOptions"] == {"UseAwsOwnedKey": True}
    assert props["Users"] == [{"Username": "app"}]
    assert props["Tags"] == [{"Key": "team", "Value": "queues"}]
    assert brokers["public"]["properties"]["PubliclyAccessible"] is True
    assert audit(aws, ["mq"], ["PAC-MQ-001"]) == {
        ("PAC-MQ-001", name_of(private)): "pass",
        ("PAC-MQ-001", name_of(public)): "fail",
    }


def test_documentdb_cluster_parameter_groups(aws: MotoAWS) -> None:
    docdb = aws.client("docdb")
    for name in ("strict", "loose"):
        docdb.create_db_cluster_parameter_group(DBClusterParameterGroupName=name,
                                                DBParameterGroupFamily="docdb5.0",
                                                Description=name)  # fmt: skip
    docdb.modify_db_cluster_parameter_group(DBClusterParameterGroupName="loose", Parameters=[
        {"ParameterName": "tls", "ParameterValue": "disabled", "ApplyMethod": "pending-reboot"}
    ])  # fmt: skip
    aws.client("rds").create_db_cluster_parameter_group(
        DBClusterParameterGroupName="aurora", DBParameterGroupFamily="aurora-mysql8.0",
        Description="aurora",
    )  # fmt: skip
    snapshot, done = aws.collect("--service", "docdb")
    assert done.returncode == 0, snapshot["errors"]
    groups = resources_of(snapshot, "AWS::DocDB::DBClusterParameterGroup")
    assert sorted(groups) == ["loose", "strict"]  # not the Aurora group
    assert groups["loose"]["id"] == f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster-pg:loose"
    assert groups["loose"]["properties"] == {
        "Name": "loose",
        "Family": "docdb5.0",
        "Description": "loose",
        "Parameters": {"tls": "disabled"},
    }
    assert groups["strict"]["properties"]["Parameters"] == {}
    assert audit(aws, ["docdb"], ["PAC-DOCDB-002"]) == {
        ("PAC-DOCDB-002", "strict"): "pass",
        ("PAC-DOCDB-002", "loose"): "fail",
    }
