"""Modules: `use NAME` takes the definitions of lib/NAME.policy under the policy directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.errors import render_diagnostic
from scanner.lang import parser
from scanner.lang.sources import discover_policy_files
from scanner.policyset.compiler import CompileResult, compile_sources

NETWORK = """\
# shared network judgements
use protocols
let admin_ports = [22, 3389]
def world_open(cidr) = cidr matches "/0+$"
def admin(rule) = tcp(rule) and any admin_ports as p: port_in_range(rule.FromPort, rule.ToPort, p)
"""
PROTOCOLS = 'def tcp(rule) = lower(to_string(rule.IpProtocol)) in ["tcp", "6"]\n'


def policy(body: str, uses: str = "use network (world_open, admin)\n", pid: str = "1") -> str:
    return f"""{uses}
policy P{pid} {{
  id = "PAC-T-00{pid}"
  title = "t"
  severity = high
  resource AWS::EC2::SecurityGroupIngress
{body}
}}
"""


GOOD = policy(
    """  assert not (world_open(Properties.CidrIp) and admin(Properties))
    else "rule {id} opens {count(admin_ports)} admin ports"
  example fail { Properties: { CidrIp: "0.0.0.0/0", IpProtocol: "tcp", FromPort: 22, ToPort: 22 } }
  example pass { Properties: { CidrIp: "10.0.0.0/8", IpProtocol: "tcp", FromPort: 22, ToPort: 22 } }
  example pass { Properties: { CidrIp: "0.0.0.0/0", IpProtocol: "udp", FromPort: 22, ToPort: 22 } }
""",
    uses="use network\n",
)


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def compile_dir(root: Path) -> CompileResult:
    return compile_sources(discover_policy_files([root]))


def shown(result: CompileResult, root: Path) -> list[str]:
    """Each error's first line, file names relative to ``root``."""
    return [
        render_diagnostic(d).splitlines()[0].replace(f"{root}{os.sep}", "")
        for d in [*result.diagnostics, *result.warnings]
    ]


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    return tree(tmp_path, {"lib/network.policy": NETWORK, "lib/protocols.policy": PROTOCOLS})


def test_module_definitions_evaluate_as_if_written_in_the_file(lib: Path) -> None:
    tree(lib, {"a.policy": GOOD})
    result = CliRunner().invoke(cli, ["test", "-v", str(lib)])
    assert result.exit_code == 0, result.output
    assert "3 passed, 0 failed" in result.output
    compiled = compile_dir(lib)
    assert compiled.ok and not compiled.warnings
    assert [p.info.id for p in compiled.program.policies] == ["PAC-T-001"]  # modules add none


def test_the_same_definitions_written_in_the_file_give_the_same_verdicts(lib: Path) -> None:
    inline = GOOD.replace("use network\n", NETWORK.replace("use protocols\n", PROTOCOLS))
    tree(lib, {"a.policy": GOOD})
    other = tree(lib / "inline", {"a.policy": inline})
    ran = [CliRunner().invoke(cli, ["test", "-v", str(d)]) for d in (lib / "a.policy", other)]
    assert [r.exit_code for r in ran] == [0, 0]
    assert [r.output.count(": ok PAC-T-001") for r in ran] == [3, 3]


def test_unknown_module_suggests_the_closest(lib: Path) -> None:
    tree(lib, {"a.policy": policy("  assert world_open(Properties.CidrIp)", "use netwrk\n")})
    assert shown(compile_dir(lib), lib) == [
        "a.policy:1:5: error[P100]: no module `netwrk` (looked for netwrk.policy in lib or "
        "the built-in library); did you mean `network`?"
    ]


def test_a_listed_name_the_module_does_not_have(lib: Path) -> None:
    tree(
        lib,
        {"a.policy": policy("  assert world_open(Properties.CidrIp)", "use network (world_opn)\n")},
    )
    assert shown(compile_dir(lib), lib) == [
        "a.policy:1:14: error[P101]: module `network` has no def or let `world_opn`; "
        "did you mean `world_open`?"
    ]


def test_a_local_definition_cannot_reuse_an_imported_name(lib: Path) -> None:
    text = policy("  assert world_open(Properties.CidrIp)", "use network\n\ndef world_open(c) = c")
    tree(lib, {"a.policy": text})
    assert shown(compile_dir(lib), lib) == [
        "a.policy:3:1: error[P102]: `world_open` is already imported from module `network` (line 1)"
    ]


def test_names_a_file_does_not_import_stay_private_to_the_module(lib: Path) -> None:
    body = """  let admin_ports = [80]
  assert not (admin(Properties) and tcp(Properties))
  example fail { Properties: { IpProtocol: "tcp", FromPort: 22, ToPort: 22 } }
  example pass { Properties: { IpProtocol: "tcp", FromPort: 80, ToPort: 80 } }
  example pass { Properties: { IpProtocol: "udp", FromPort: 22, ToPort: 22 } }
"""
    # `tcp` of protocols (which network uses) and `world_open` of network are free for the
    # file's own definitions, and the module's defs still call the module's own.
    uses = 'use network (admin)\n\ndef tcp(rule) = rule.IpProtocol != "udp"\ndef world_open(c) = c'
    tree(lib, {"a.policy": policy(body, uses)})
    compiled = compile_dir(lib)
    assert compiled.ok and not compiled.warnings, shown(compiled, lib)
    result = CliRunner().invoke(cli, ["test", str(lib)])
    assert result.exit_code == 0, result.output
    assert "3 passed" in result.output


def test_two_modules_defining_one_name(lib: Path) -> None:
    tree(lib, {"lib/other.policy": "def world_open(c) = false\n"})
    text = policy("  assert world_open(Properties.CidrIp)", "use network\nuse other\n")
    tree(lib, {"a.policy": text})
    assert shown(compile_dir(lib), lib) == [
        "a.policy:2:1: error[P102]: `world_open` is defined by module `network` and by module "
        "`other`"
    ]


def test_a_cycle_is_named_where_it_closes_and_each_user_is_told(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "lib/a.policy": "use b\ndef fa(x) = fb(x)\n",
            "lib/b.policy": "use a\ndef fb(x) = x == 1\n",
            "p.policy": policy("  assert fa(Properties.A)", "use a\n"),
        },
    )
    assert shown(compile_dir(tmp_path), tmp_path) == [
        "lib/b.policy:1:5: error[P103]: modules use each other in a cycle: a -> b -> a",
        "lib/a.policy:1:5: error[P104]: module `b` cannot be used: it does not compile "
        "(1 error in lib/b.policy)",
        "p.policy:1:5: error[P104]: module `a` cannot be used: it does not compile "
        "(1 error in lib/a.policy)",
    ]


def test_a_module_that_uses_itself(tmp_path: Path) -> None:
    tree(tmp_path, {"lib/a.policy": "use a\ndef f(x) = x\n"})
    assert shown(compile_dir(tmp_path), tmp_path) == [
        "lib/a.policy:1:5: error[P103]: modules use each other in a cycle: a -> a"
    ]


def test_modules_nest_at_most_eight_deep(tmp_path: Path) -> None:
    files = {f"lib/m{i}.policy": f"use m{i + 1}\ndef f{i}(x) = f{i + 1}(x)\n" for i in range(9)}
    files["lib/m9.policy"] = "def f9(x) = x == 1\n"
    files["p.policy"] = policy("  assert f0(Properties.A)", "use m0\n")
    tree(tmp_path, files)
    lines = shown(compile_dir(tmp_path), tmp_path)
    assert lines[0] == (
        "lib/m7.policy:1:5: error[P005]: modules nest more than 8 deep: "
        "m0 -> m1 -> m2 -> m3 -> m4 -> m5 -> m6 -> m7 -> m8"
    )
    assert lines[-1].startswith("p.policy:1:5: error[P104]: module `m0` cannot be used")


def test_a_module_holds_no_policy_and_no_param(lib: Path) -> None:
    tree(lib, {"lib/bad.policy": "param days: number = 90\n\n" + policy("  assert A", "")})
    assert shown(compile_dir(lib), lib) == [
        "lib/bad.policy:1:1: error[P104]: a module cannot declare a param (`days`): declare "
        "it in the policy file and pass it to the def as an argument",
        "lib/bad.policy:4:8: error[P104]: a module holds only `use`, `def` and `let`; policy "
        "P1 belongs in a policy file outside lib/",
    ]


def test_a_broken_module_is_reported_once_however_many_files_use_it(lib: Path) -> None:
    tree(lib, {"lib/network.policy": NETWORK + "def broken(x) = lowr(x)\n"})
    for n in "123":
        tree(lib, {f"p{n}.policy": policy("  assert world_open(Properties.CidrIp)", pid=n)})
    lines = shown(compile_dir(lib), lib)
    assert lines[0] == (
        "lib/network.policy:6:17: error[P012]: unknown function `lowr`; did you mean `lower`?"
    )
    assert lines[1:] == [
        f"p{n}.policy:1:5: error[P104]: module `network` cannot be used: it does not compile "
        "(1 error in lib/network.policy)"
        for n in "123"
    ]


def test_a_module_is_parsed_once_per_run(lib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACSCAN_NO_CACHE", "1")
    for n in "123":
        tree(lib, {f"p{n}.policy": policy("  assert world_open(Properties.CidrIp)", pid=n)})
    parsed: list[str] = []
    real = parser.parse_file

    def counting(path: str, text: str) -> object:
        parsed.append(os.path.basename(path))
        return real(path, text)

    monkeypatch.setattr(parser, "parse_file", counting)
    result = compile_dir(lib)
    assert result.ok and len(result.program.policies) == 3
    assert sorted(parsed) == [
        "network.policy",
        "p1.policy",
        "p2.policy",
        "p3.policy",
        "protocols.policy",
    ]


def test_a_name_brought_in_by_another_module_needs_its_own_use(lib: Path) -> None:
    body = "  assert admin(Properties) and tcp(Properties)"
    tree(lib, {"a.policy": policy(body, "use network\n")})
    assert shown(compile_dir(lib), lib) == [
        "a.policy:8:32: error[P105]: `tcp` is not imported; module `protocols` defines it: "
        "add `use protocols`"
    ]


def test_a_name_left_out_of_the_use_list(lib: Path) -> None:
    tree(lib, {"a.policy": policy("  assert admin(Properties)", "use network (world_open)\n")})
    assert shown(compile_dir(lib), lib) == [
        "a.policy:8:10: error[P105]: `admin` is not imported; module `network` defines it, "
        "but its `use` does not list it",
        "a.policy:1:14: warning[P106]: `world_open` is imported from module `network` but "
        "never used",
    ]


def test_a_name_used_without_use_says_which_module_defines_it(lib: Path) -> None:
    tree(lib, {"a.policy": policy("  assert world_open(Properties.CidrIp)", "")})
    assert shown(compile_dir(lib), lib) == [
        "a.policy:7:10: error[P105]: `world_open` is not imported; module `network` defines "
        "it: add `use network`"
    ]


def test_a_let_used_without_use_says_which_module_defines_it(lib: Path) -> None:
    tree(lib, {"a.policy": policy("  assert Properties.FromPort in admin_ports", "")})
    assert shown(compile_dir(lib), lib) == [
        "a.policy:7:33: error[P105]: `admin_ports` is not imported; module `network` defines "
        "it: add `use network`"
    ]


def test_check_warns_of_unused_imports_and_still_exits_0(lib: Path) -> None:
    text = policy(
        "  assert world_open(Properties.CidrIp)", "use protocols\nuse network (world_open, admin)\n"
    )
    tree(lib, {"a.policy": text})
    result = CliRunner().invoke(cli, ["check", str(lib)])
    assert result.exit_code == 0, result.output
    warnings = [
        line.replace(f"{lib}/", "") for line in result.output.splitlines() if "warning" in line
    ]
    assert warnings == [
        "a.policy:1:1: warning[P106]: module `protocols` is used but none of its names is",
        "a.policy:2:26: warning[P106]: `admin` is imported from module `network` but never used",
    ]


def test_check_exits_2_for_a_missing_module(lib: Path) -> None:
    tree(lib, {"a.policy": policy("  assert A", "use nothing\n")})
    result = CliRunner().invoke(cli, ["check", str(lib)])
    assert result.exit_code == 2
    assert "a.policy:1:5: error[P100]: no module `nothing`" in result.output
    assert "Traceback" not in result.output


def test_shadowing_an_imported_name_inside_a_policy_is_allowed(lib: Path) -> None:
    body = """  let admin_ports = [80]
  assert none [Properties] as world_open: world_open.FromPort in admin_ports
  example fail { Properties: { FromPort: 80 } }
  example pass { Properties: { FromPort: 22 } }
"""
    tree(lib, {"a.policy": policy(body, "use network\n")})
    result = CliRunner().invoke(cli, ["test", str(lib)])
    assert result.exit_code == 0, result.output
    assert "2 passed" in result.output
    assert "P106" in "\n".join(shown(compile_dir(lib), lib))  # the module's names: all shadowed


@pytest.mark.parametrize(
    ("use", "column", "message"),
    [
        ("use ../secrets", 5, "unexpected `.`"),
        ("use /etc/passwd", 5, "unexpected character '/'"),
        ('use "lib/network.policy"', 5, "unexpected string"),
        ("use lib.network", 8, "unexpected `.`"),
    ],
)
def test_use_takes_a_name_never_a_path(lib: Path, use: str, column: int, message: str) -> None:
    tree(lib, {"a.policy": policy("  assert A", use + "\n")})
    (line,) = shown(compile_dir(lib), lib)
    assert line.startswith(f"a.policy:1:{column}: error[P001]: ")
    assert message in line


def test_use_after_a_declaration_is_a_syntax_error(lib: Path) -> None:
    tree(lib, {"a.policy": "def f(x) = x\nuse network\n"})
    assert shown(compile_dir(lib), lib) == [
        "a.policy:2:1: error[P001]: `use` lines come first in a file, before every `param`, "
        "`let`, `def` and `policy`"
    ]


def test_a_module_that_is_a_symlink_out_of_the_directory_is_not_followed(tmp_path: Path) -> None:
    outside = tree(tmp_path / "outside", {"secret.policy": "def f(x) = x == 1\n"})
    root = tree(tmp_path / "root", {"p.policy": policy("  assert f(Properties.A)", "use evil\n")})
    (root / "lib").mkdir()
    (root / "lib" / "evil.policy").symlink_to(outside / "secret.policy")
    lines = shown(compile_dir(root), root)
    assert (
        "p.policy:1:5: error[P104]: module `evil` cannot be used: it is a symbolic link out "
        "of the policy directory; not followed" in lines
    )
    assert not any("P012" in line or "P010" in line for line in lines)


def test_a_lib_folder_that_is_a_symlink_out_is_not_followed(tmp_path: Path) -> None:
    outside = tree(tmp_path / "outside", {"evil.policy": "def f(x) = x == 1\n"})
    root = tree(tmp_path / "root", {"p.policy": policy("  assert f(Properties.A)", "use evil\n")})
    (root / "lib").symlink_to(outside)
    lines = shown(compile_dir(root), root)
    assert lines == [
        f"lib: error[P003]: not followed: a symbolic link out of '{root}'",
        "p.policy:1:5: error[P104]: module `evil` cannot be used: it is a symbolic link out of "
        "the policy directory; not followed",
    ]


def test_a_module_inside_the_directory_reached_by_a_symlink_is_used(lib: Path) -> None:
    (lib / "lib" / "net.policy").symlink_to(lib / "lib" / "network.policy")
    tree(lib, {"a.policy": GOOD.replace("use network", "use net")})
    result = compile_dir(lib)
    assert result.ok, shown(result, lib)


def test_a_policy_file_given_by_name_uses_the_modules_of_its_directory(lib: Path) -> None:
    tree(lib, {"a.policy": GOOD})
    result = CliRunner().invoke(cli, ["test", str(lib / "a.policy")])
    assert result.exit_code == 0, result.output


def test_every_policy_file_may_use_the_built_in_modules(tmp_path: Path) -> None:
    from scanner.policyset.compiler import PolicySource

    body = """  assert not exposes_v4(Properties, 22)
  example fail { Properties: { CidrIp: "0.0.0.0/0", IpProtocol: "tcp", FromPort: 22, ToPort: 22 } }
  example pass { Properties: { CidrIp: "10.0.0.0/8", IpProtocol: "-1" } }
"""
    result = compile_sources([PolicySource("a.policy", policy(body, "use network (exposes_v4)"))])
    assert result.ok and not result.warnings
    tree(tmp_path, {"own/a.policy": policy(body, "use network (exposes_v4)")})
    ran = CliRunner().invoke(cli, ["test", str(tmp_path / "own")])
    assert ran.exit_code == 0 and "2 passed" in ran.output, ran.output
    missing = compile_sources([PolicySource("a.policy", policy("  assert A", "use nothing"))])
    assert [render_diagnostic(d).splitlines()[0] for d in missing.diagnostics] == [
        "a.policy:1:5: error[P100]: no module `nothing` (looked for nothing.policy in the "
        "built-in library)"
    ]


def test_editing_a_module_checks_its_users_again(
    lib: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PACSCAN_NO_CACHE", raising=False)
    root = tree(
        tmp_path / "policies", {"lib/network.policy": NETWORK, "lib/protocols.policy": PROTOCOLS}
    )
    tree(root, {"a.policy": GOOD})
    assert compile_dir(root).ok
    assert any((tmp_path / "cache").rglob("*.clean"))
    assert compile_dir(root).ok  # from the cache
    tree(root, {"lib/network.policy": NETWORK.replace("def admin(", "def admin_open(")})
    lines = shown(compile_dir(root), root)
    assert lines == ["a.policy:8:49: error[P012]: unknown function `admin`; did you mean `min`?"]


def test_a_module_that_is_not_a_regular_file_is_refused_without_blocking(lib: Path) -> None:
    os.mkfifo(lib / "lib" / "pipe.policy")
    tree(lib, {"a.policy": policy("  assert f(Properties.A)", "use pipe\n")})
    lines = shown(compile_dir(lib), lib)
    assert "a.policy:1:5: error[P104]: module `pipe` cannot be used: not a regular file" in lines


def test_a_file_with_use_lines_comes_back_from_the_parse_cache_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanner.lang.ast_cache import cached_parse

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("PACSCAN_NO_CACHE", raising=False)
    text = "use network (world_open, admin)\nuse protocols\n" + GOOD
    first = cached_parse("a.policy", text)
    assert any(tmp_path.rglob("*.ast"))
    again = cached_parse("a.policy", text)
    assert again == first == parser.parse_file("a.policy", text)
    assert [(u.module, [n for n, _ in u.names]) for u in again.uses][:2] == [
        ("network", ["world_open", "admin"]),
        ("protocols", []),
    ]


def test_a_built_in_policy_file_given_by_name_finds_the_built_in_modules() -> None:
    from scanner.lang.sources import builtin_policy_dir

    ec2 = Path(str(builtin_policy_dir())) / "aws" / "ec2"
    result = compile_sources(
        discover_policy_files([ec2 / "security_group_ssh_open_to_world.policy"])
    )
    assert result.ok, [render_diagnostic(d) for d in result.diagnostics]
    assert [p.info.id for p in result.program.policies] == ["PAC-EC2-001"]
