"""A denied call of the Glue, Backup, AppSync, WorkSpaces and SageMaker model collectors:
an unknown value where the call would have filled one, a gap of its types for a listing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.stub import Stubber
from test_collect_denied import denied
from test_pagination import stubbed

from scanner.aws import appsync, backup, glue, sagemaker_models, workspaces
from scanner.aws.context import CollectContext

ACCOUNT = "123456789012"
MODEL_ARN = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/m"


def stub_model(stubber: Stubber) -> None:
    summary = {"ModelName": "m", "ModelArn": MODEL_ARN, "CreationTime": "2024-01-01T00:00:00Z"}
    stubber.add_response("list_models", {"Models": [summary]})
    denied(stubber, "describe_model")


def test_a_denied_model_description_leaves_its_isolation_unknown() -> None:
    ctx, stubber = stubbed("sagemaker")
    stub_model(stubber)
    with stubber:
        sagemaker_models.collect(ctx)
    (model,) = ctx.resources
    assert model["id"] == MODEL_ARN
    assert model["properties"] == {
        "ModelName": "m",
        "EnableNetworkIsolation": {"$unknown": "DescribeModel: AccessDenied"},
    }
    assert [e["operation"] for e in ctx.errors] == ["DescribeModel"]


def test_denied_catalog_settings_are_unknown() -> None:
    ctx, stubber = stubbed("glue")
    denied(stubber, "get_data_catalog_encryption_settings")
    with stubber:
        glue.collect_catalog(ctx)
    (catalog,) = ctx.resources
    assert catalog["properties"] == {
        "CatalogId": ACCOUNT,
        "DataCatalogEncryptionSettings": {
            "$unknown": "GetDataCatalogEncryptionSettings: AccessDenied"
        },
    }


GAPS = [
    ("glue", glue.collect_configurations, "get_security_configurations",
     "GetSecurityConfigurations", ["AWS::Glue::SecurityConfiguration"]),
    ("backup", backup.collect, "list_backup_vaults", "ListBackupVaults",
     ["AWS::Backup::BackupVault"]),
    ("appsync", appsync.collect, "list_graphql_apis", "ListGraphqlApis",
     ["AWS::AppSync::GraphQLApi"]),
    ("workspaces", workspaces.collect, "describe_workspaces", "DescribeWorkspaces",
     ["AWS::WorkSpaces::Workspace"]),
    ("sagemaker", sagemaker_models.collect, "list_models", "ListModels",
     ["AWS::SageMaker::Model"]),
]  # fmt: skip


@pytest.mark.parametrize(("service", "run", "method", "operation", "types"), GAPS)
def test_a_denied_listing_is_a_gap_of_its_type(
    service: str,
    run: Callable[[CollectContext], None],
    method: str,
    operation: str,
    types: list[str],
) -> None:
    ctx, stubber = stubbed(service)
    denied(stubber, method)
    with stubber:
        run(ctx)
    assert ctx.resources == []
    errors: list[dict[str, Any]] = ctx.errors
    assert [(e["operation"], e["code"], e["types"]) for e in errors] == [
        (operation, "AccessDenied", types)
    ]
