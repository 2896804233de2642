"""A scan result whose every name comes from a hostile template: a file, a logical id
and a message made of markup, formulas, Markdown and control characters."""

from __future__ import annotations

from report_fixtures import ENCRYPTION, VERSIONING, Factory, finding, scan_result

from scanner.model import Status
from scanner.result import ScanResult

FILE = "templates/<img src=x onerror=alert(2)>.yaml"
RESOURCE = "<script>alert(1)</script>"
MESSAGE = '=HYPERLINK("http://evil") **bold** @octocat | <b>x</b>\n::warning::forged'
TEMPLATE = f'''Resources:
  "{RESOURCE}":
    Type: AWS::S3::Bucket
    Properties:
      BucketName: "@SUM(1+1)"
'''


def hostile_result(make: Factory) -> ScanResult:
    resource = make.resources(make.document(FILE, TEMPLATE))[RESOURCE]
    return scan_result(
        make.root,
        [
            finding(VERSIONING, resource, message=MESSAGE),
            finding(ENCRYPTION, resource, Status.PASS, message="encrypted"),
        ],
    )
