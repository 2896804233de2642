"""The collectors pacscan runs: a new collector is a module and one line here."""

from __future__ import annotations

import importlib

from scanner.aws.context import Collector

MODULES = (
    "scanner.aws.s3",
    "scanner.aws.s3_access_points",
    "scanner.aws.ec2",
    "scanner.aws.vpc",
    "scanner.aws.ec2_network",
    "scanner.aws.iam",
    "scanner.aws.iam_account",
    "scanner.aws.iam_support",
    "scanner.aws.kms",
    "scanner.aws.cloudtrail",
    "scanner.aws.account_trails",
    "scanner.aws.rds",
    "scanner.aws.lambda_functions",
    "scanner.aws.rds_clusters",
    "scanner.aws.dynamodb",
    "scanner.aws.dynamodb_scaling",
    "scanner.aws.sqs",
    "scanner.aws.sns",
    "scanner.aws.secretsmanager",
    "scanner.aws.ecr",
    "scanner.aws.efs",
    "scanner.aws.guardduty",
    "scanner.aws.elb",
    "scanner.aws.elbv2",
    "scanner.aws.iam_groups",
    "scanner.aws.opensearch",
    "scanner.aws.redshift",
    "scanner.aws.cloudfront",
    "scanner.aws.eks",
    "scanner.aws.ecs",
    "scanner.aws.apigateway",
    "scanner.aws.dax",
    "scanner.aws.autoscaling",
    "scanner.aws.dms",
    "scanner.aws.sagemaker",
    "scanner.aws.config_recorders",
    "scanner.aws.config_regions",
    "scanner.aws.trail_metric_filters",
    "scanner.aws.security_hub",
    "scanner.aws.access_analyzer",
    "scanner.aws.logs",
    "scanner.aws.kinesis",
    "scanner.aws.elasticache",
    "scanner.aws.glue",
    "scanner.aws.backup",
    "scanner.aws.appsync",
    "scanner.aws.workspaces",
    "scanner.aws.sagemaker_models",
    "scanner.aws.neptune",
    "scanner.aws.rds_parameter_groups",
    "scanner.aws.msk",
    "scanner.aws.firehose",
    "scanner.aws.mq",
    "scanner.aws.transfer",
    "scanner.aws.cognito_identity",
    "scanner.aws.codebuild",
    "scanner.aws.docdb",
)


def all_collectors() -> list[Collector]:
    collectors: list[Collector] = []
    for name in MODULES:
        collectors.extend(importlib.import_module(name).COLLECTORS)
    return collectors


def service_names() -> list[str]:
    """The names ``--service`` accepts."""
    return sorted({c.service for c in all_collectors()})
