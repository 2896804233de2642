"""The options scan, audit and fix share: declared once here, parsed once here, and
resolved with the config file into the pipeline's ``Run`` (``resolve_run``)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click
import yaml

from scanner.config import Config, ConfigError, find_config, load_config
from scanner.errors import Diagnostic, UsageError, render_diagnostic
from scanner.escape import printable
from scanner.model import Severity
from scanner.outcome import EXIT_USAGE
from scanner.pipeline import Run, ScanRequest
from scanner.report import REPORTERS, available_formats
from scanner.report.destinations import Destination, destinations, split_outputs
from scanner.report.output import check_output
from scanner.result import ReportOptions
from scanner.selection import framework_policy_ids

if TYPE_CHECKING:
    from scanner.triage.baseline import PreviousResult

F = TypeVar("F", bound=Callable[..., Any])

MAX_PARAM_DEPTH = 32  # a policy param is a number, a string or a short list or map

SEVERITIES = [s.value for s in Severity]
FORMATS = list(REPORTERS)

param_option = click.option(
    "--param",
    "policy_params",
    multiple=True,
    metavar="NAME=JSON",
    help="Override a policy param (value parsed as JSON, else taken as a string).",
)

_POLICY_SELECTION = [
    click.option(
        "--policies",
        "policy_dirs",
        multiple=True,
        type=click.Path(exists=True),
        help="Policy file or directory (repeatable). Default: the built-in policies.",
    ),
    click.option(
        "--extra-policies",
        "extra_policy_dirs",
        multiple=True,
        type=click.Path(exists=True),
        help="Policy file or directory to add to the built-in policies (or to --policies); "
        "repeatable. An id the others already use is an error.",
    ),
    click.option("--policy", "only", multiple=True, metavar="ID", help="Run only this policy id."),
    click.option("--skip", multiple=True, metavar="ID", help="Do not run this policy id."),
    param_option,
]


def policy_selection_options(command: F) -> F:
    """``--policies``, ``--extra-policies``, ``--policy``, ``--skip`` and ``--param`` (scan,
    audit, fix and remediate)."""
    return _apply(_POLICY_SELECTION, command)


def template_input_options(verb: str) -> Callable[[F], F]:
    """``--include``/``--exclude`` (the files to ``verb``) and the template parameters, as
    scan and fix take them."""
    options = [
        click.option(
            "--include",
            "include_globs",
            multiple=True,
            metavar="GLOB",
            help=f"Only {verb} matching files.",
        ),
        click.option(
            "--exclude",
            "exclude_globs",
            multiple=True,
            metavar="GLOB",
            help=f"Do not {verb} matching files.",
        ),
        click.option(
            "--parameter",
            "template_params",
            multiple=True,
            metavar="KEY=VALUE",
            help="CloudFormation parameter value (repeatable); overrides defaults.",
        ),
        click.option(
            "--parameters-file",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False),
            help="CloudFormation parameters: AWS CLI JSON list, {Parameters: {...}} "
            "or a plain map.",
        ),
        click.option(
            "--var",
            "terraform_vars",
            multiple=True,
            metavar="NAME=VALUE",
            help="Terraform variable value for root modules (repeatable); overrides .tfvars files.",
        ),
        click.option(
            "--var-file",
            "terraform_var_files",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False),
            help="Terraform .tfvars file for root modules (repeatable); over "
            "terraform.tfvars and *.auto.tfvars.",
        ),
    ]
    return lambda command: _apply(options, command)


def report_options(output_help: str, quiet: bool = True) -> Callable[[F], F]:
    """``--format``, ``-o``, ``--include-passed``, ``--fail-on``, ``--soft-fail`` and
    ``-q``/``--quiet`` (``quiet=False``: a command whose ``--quiet`` means something else),
    as scan and audit take them; each defaults to the config's value."""
    options = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            help="Output format.  [default: text]",
        ),
        click.option(
            "-o",
            "--output",
            "outputs",
            multiple=True,
            metavar="[FORMAT:]FILE",
            help=f"{output_help} FORMAT:FILE (repeatable) writes one more report in that "
            "format, e.g. --output sarif:pacscan.sarif --output html:report.html.",
        ),
        click.option(
            "--include-passed/--no-include-passed",
            default=None,
            help="Also list passed and skipped results.",
        ),
        fail_on_option("Lowest severity of a failed finding that makes the exit code 1."),
        click.option(
            "--soft-fail",
            is_flag=True,
            default=None,
            help="Exit 0 whatever was found and whatever input could not be read; usage, "
            "config, policy and report-writing errors still exit 2.",
        ),
    ]
    if quiet:
        options.append(
            click.option(
                "-q",
                "--quiet",
                "quiet_report",
                is_flag=True,
                help="List failed findings only (text, Markdown, HTML and CSV reports) "
                "and leave warnings out.",
            )
        )
    return lambda command: _apply(options, command)


def fail_on_option(text: str) -> Callable[[F], F]:
    return click.option("--fail-on", type=click.Choice(SEVERITIES), help=f"{text}  [default: low]")


def _apply(options: Sequence[Callable[[Any], Any]], command: F) -> F:
    decorated: Any = command
    for option in reversed(options):
        decorated = option(decorated)
    return cast(F, decorated)


def config_file_options(command: F) -> F:
    """``--config`` and ``--no-config``."""
    command = click.option("--no-config", is_flag=True, help="Ignore any .pacscan.yaml.")(command)
    return click.option(
        "--config",
        "config_path",
        type=click.Path(exists=True, dir_okay=False),
        help="Config file.  [default: the nearest .pacscan.yaml upward]",
    )(command)


def load_command_config(path: str | None, ignore: bool) -> Config:
    """The config file named on the command line, else the nearest one upward (which
    belongs to the scanned repository, so its paths are confined to it); every problem
    is shown and the command stops with exit 2."""
    if ignore:
        return Config()
    confined = path is None
    path = path or find_config(os.getcwd())
    if path is None:
        return Config()
    try:
        return load_config(path, confined=confined)
    except ConfigError as exc:
        for diag in exc.diagnostics:
            click.echo(render_diagnostic(diag), err=True)
        raise SystemExit(EXIT_USAGE) from exc


def resolve_run(options: Mapping[str, Any], *, report_file_from_config: bool = True) -> Run:
    """The ``Run`` of a command: each option given, else the config's value, else the default.

    ``options`` are the command's parsed options; an option the command does not take
    counts as not given. The config's report file, category and baseline describe a
    scan of the repository's templates: ``report_file_from_config=False`` (audit) leaves
    them out. Mistakes (an unavailable format, an unwritable ``-o``, an unknown framework,
    ``--new-only`` without a baseline, an unreadable baseline) stop here, before any work.
    """
    config = load_command_config(options.get("config_path"), options.get("no_config", False))
    fmt = options.get("fmt") or config.format or "text"
    if fmt not in available_formats():
        raise click.UsageError(f"output format {fmt!r} is not available in this build")
    from_config = config if report_file_from_config else Config()
    output = split_outputs(options.get("outputs", ()))[0] or from_config.output
    if output and report_file_from_config:
        check_output(output)  # a typo in -o costs nothing
    framework = options.get("framework")
    if framework:
        framework_policy_ids(framework)  # an unknown name stops here, before any work
    run = Run(
        config=config,
        policy_paths=options.get("policy_dirs") or config.policy_paths,
        extra_policy_paths=options.get("extra_policy_dirs") or config.extra_policy_paths,
        only=options.get("only", ()),
        skip=options.get("skip", ()),
        framework=framework,
        params=parse_policy_params(options.get("policy_params", ())),
        fail_on=Severity(options.get("fail_on") or config.fail_on or "low"),
        fmt=fmt,
        output=output,
        report=ReportOptions(
            include_passed=_first(options.get("include_passed"), config.include_passed),
            category=options.get("category") or from_config.category or ReportOptions().category,
            omit_suppressed=_first(options.get("omit_suppressed"), config.omit_suppressed),
            quiet=bool(options.get("quiet_report")),
        ),
    )
    baseline = options.get("baseline") or from_config.baseline
    return _with_baseline(run, baseline, _first(options.get("new_only"), from_config.new_only))


def _load_baseline(path: str) -> tuple[list[PreviousResult], Diagnostic | None]:
    from scanner.triage.baseline import load_baseline_if_present  # only with a baseline

    return load_baseline_if_present(path)


def _with_baseline(run: Run, path: str | None, new_only: bool) -> Run:
    previous, warning = _load_baseline(path) if path else (None, None)
    if new_only and previous is None:
        raise click.UsageError("--new-only needs a baseline (--baseline or baseline: in config)")
    baseline = tuple(previous) if previous is not None else None
    report = replace(run.report, new_only=new_only)
    return replace(
        run, new_only=new_only, baseline=baseline, baseline_warning=warning, report=report
    )


def report_destinations(options: Mapping[str, Any], run: Run) -> list[Destination]:
    """The reports of a run: the ``--format`` report (to ``run.output``, else stdout), then
    each ``--output FORMAT:FILE``; two reports to one file or to stdout stop here."""
    return destinations(run.fmt, run.output, split_outputs(options.get("outputs", ()))[1])


def scan_request(options: Mapping[str, Any], jobs: int | None) -> ScanRequest:
    """What to scan: PATHS, ``--include``/``--exclude`` and the template parameters."""
    return ScanRequest(
        paths=options["paths"],
        include=options["include_globs"],
        exclude=options["exclude_globs"],
        template_parameters=parse_template_parameters(
            options["template_params"], options["parameters_file"]
        ),
        terraform_vars=tuple(
            _split_pair(pair, "--var") for pair in options.get("terraform_vars", ())
        ),
        terraform_var_files=tuple(options.get("terraform_var_files", ())),
        jobs=jobs,
        root=os.getcwd(),
    )


def _first(value: bool | None, configured: bool | None) -> bool:
    return bool(value if value is not None else configured)


def parse_policy_params(pairs: Iterable[str]) -> dict[str, Any]:
    """``name=JSON`` pairs; a value that is not JSON is taken as a plain string."""
    params: dict[str, Any] = {}
    for pair in pairs:
        name, value = _split_pair(pair, "--param")
        try:
            params[name] = json.loads(value)
        except json.JSONDecodeError:
            params[name] = value
        except RecursionError:  # nested past what the JSON decoder takes
            raise _nested_too_deep(name) from None
        if _too_deep(params[name]):
            raise _nested_too_deep(name)
    return params


def _nested_too_deep(name: str) -> UsageError:
    return UsageError(
        f"--param {printable(name)}: the value nests lists or maps more than "
        f"{MAX_PARAM_DEPTH} levels deep"
    )


def _too_deep(value: Any) -> bool:
    """Whether lists and maps in ``value`` nest more than ``MAX_PARAM_DEPTH`` levels."""
    level: list[Any] = [value]
    for _ in range(MAX_PARAM_DEPTH + 1):
        level = [
            child
            for item in level
            if isinstance(item, (list, dict))
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return True


def parse_template_parameters(pairs: Iterable[str], files: Iterable[str]) -> dict[str, Any]:
    """CloudFormation parameter values from ``--parameters-file`` then ``--parameter K=V``.

    A file may be the AWS CLI list (``[{"ParameterKey": k, "ParameterValue": v}]``), a
    CodePipeline template configuration (``{"Parameters": {k: v}}``) or a plain map,
    in JSON or YAML. Later values win.
    """
    values: dict[str, Any] = {}
    for path in files:
        values.update(_read_parameters_file(path))
    for pair in pairs:
        name, value = _split_pair(pair, "--parameter")
        values[name] = value
    return values


def _split_pair(pair: str, option: str) -> tuple[str, str]:
    name, sep, value = pair.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"{option} expects NAME=VALUE, got {pair!r}", code="USAGE")
    return name.strip(), value


def _read_parameters_file(path: str) -> dict[str, Any]:
    shown = printable(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except OSError as exc:
        raise UsageError(f"cannot read parameters file {shown}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"parameters file {shown} is not UTF-8 text (byte {exc.object[exc.start]:#04x} "
            f"at offset {exc.start})"
        ) from None
    except RecursionError:
        raise UsageError(f"parameters file {shown} nests too deeply") from None
    except yaml.YAMLError as exc:
        raise UsageError(
            f"parameters file {shown} is not valid JSON or YAML: {printable(str(exc))}"
        ) from exc
    values = _parameter_map(data, shown)
    for name, value in values.items():
        if not _parameter_value(value):
            raise UsageError(
                f"parameters file {shown}: {printable(name)}: a value must be a string, "
                "number, boolean or a list of them"
            )
    return values


def _parameter_map(data: Any, shown: str) -> dict[str, Any]:
    if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):
        data = data["Parameters"]
    if isinstance(data, list) and all(
        isinstance(item, dict) and "ParameterKey" in item for item in data
    ):
        return {str(item["ParameterKey"]): item.get("ParameterValue") for item in data}
    if isinstance(data, dict):
        return {str(key): value for key, value in data.items()}
    raise UsageError(
        f"parameters file {shown} must be a map of name to value or a list of "
        "{ParameterKey, ParameterValue}"
    )


def _parameter_value(value: Any) -> bool:
    """A CloudFormation parameter value: a scalar, or a list of them (``List<...>``)."""
    if isinstance(value, list):
        return not any(isinstance(item, (list, dict)) for item in value)
    return not isinstance(value, dict)
