"""Benchmark: a contest's 366 certificates through `flask certificates render`, start-up included, against a
bare ReportLab canvas process drawing the same pages with the same font (bench/_bare_certificates.py).

Both are whole processes timed from the outside (best of --repeat runs, as the machine is shared): ours
imports the app, opens the database, loads the font index from instance/ and renders with the template's
fallback chain, shrink-to-fit and the fast QR encoder; the reference only imports ReportLab and qrcode. The
data is made once in a temporary SQLite database (DATABASE_URL and KECHUANG_UPLOAD_DIR point both runs at it).
The first run of ours builds the font index if instance/ has none (reported separately, not in the ratio).
With --rare two holders are 刘䶮 and 董𠮷祥: both processes then also parse and embed the fallback faces that
have 䶮 and 𠮷 (Zen Hei, HanaMin A): the reference is given, per character outside its main face, the face
of the template's chain that draws it, and registers that face the first time it needs it, as ours does.

Both run as a deployed installation does, with their bytecode cached: PYTHONDONTWRITEBYTECODE (set in some
development shells) is removed from the children's environment, and an untimed first run of each writes it.

    .venv/bin/python bench/certificates_cli.py [--count 366] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "子涵欣怡梓萱浩宇一诺宇轩思远雨桐俊杰佳琪明轩嘉怡"
SCHOOLS = ["青溪县实验小学", "城关中学", "育才中学", "实验初级中学", "县第二中学"]
AWARDS = ["一等奖", "二等奖", "三等奖", "优秀奖"]


def names(count: int, rare: bool = False) -> list[str]:
    out = [
        SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 3 + 1) % len(GIVEN)]
        for i in range(count)
    ]
    if rare:  # the rare names of issue 23: their fallback faces (Zen Hei, HanaMin A) are parsed and embedded too
        out[0], out[1] = "刘䶮", "董𠮷祥"
    return out


def prepare(tmp: str, count: int, rare: bool = False) -> tuple[dict, dict]:
    """Issue `count` award certificates in a fresh database; returns (env for the CLI, the bare job)."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
        "KECHUANG_UPLOAD_DIR": f"{tmp}/uploads",
        "FLASK_APP": "run",
    }
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "KECHUANG_UPLOAD_DIR")})
    from accounts.models import Organisation
    from certificates import services
    from certificates.layout import TemplateSpec, fill_text
    from certificates.sources import CertificateSource, Holder, SourceBatch, register_source
    from core import create_app
    from core.extensions import db

    app = create_app()
    with app.app_context():
        db.create_all()
        org = Organisation(kind="association", name="青溪县科学技术协会")
        school = Organisation(kind="school", name="青溪县实验小学")
        db.session.add_all([org, school])
        db.session.flush()
        holders = [
            Holder(
                ref=f"h{i}",
                name=name,
                school_id=school.id,
                school=SCHOOLS[i % 5],
                award=AWARDS[i % 4],
                category="科技创新成果",
                category_code="INV",
                title=f"作品{i}",
                advisors="李老师",
            )
            for i, name in enumerate(names(count, rare))
        ]
        batch = SourceBatch(
            scope_title="第十届青少年科技创新大赛",
            scope_code="KC",
            organisation_id=org.id,
            org_name=org.name,
            year=2026,
            holders=holders,
        )
        register_source(
            CertificateSource(
                key="bench.awards", kind="award", scope="contest", label="bench", collect=lambda _id: batch
            )
        )
        from certificates.demo import make_background_png

        background = services.store_image("bg.png", make_background_png())
        template = services.create_template(org.id, "获奖证书", kind="award", spec=services.default_spec(background))
        certs, _plan = services.issue_certificates("bench.awards", 1, template, accept_preflight=True)
        db.session.commit()
        spec = TemplateSpec.from_dict(template.spec)
        faces = services.system_faces()
        face = faces[spec.fonts[0]]
        from core.pdffonts import FontChain, chain_with_fallbacks

        chain = FontChain(chain_with_fallbacks(spec.fonts, faces))
        qr = next(i for i in spec.items if i.kind == "qr")
        from core.qrfast import QrEncoder

        encoder = QrEncoder()
        encoder.matrix(services.verify_url(certs[0].token))
        pages, fallbacks, face_of = [], [], {}
        for cert in sorted(certs, key=lambda c: (c.school_name, c.category_code, c.number)):
            values = cert.placeholder_values(services.format_issue_date(cert.issue_date))
            texts = [
                [fill_text(i.text, values), i.x_mm, i.y_mm, i.width_mm, i.size_pt, i.align]
                for i in spec.items
                if i.kind in ("text", "textbox")
            ]
            for ch in "".join(t[0] for t in texts):
                drawn_by = chain.face_for(ch)
                if ch not in face_of and drawn_by is not None and drawn_by is not chain.primary:
                    if drawn_by.key not in fallbacks:
                        fallbacks.append(drawn_by.key)
                    face_of[ch] = fallbacks.index(drawn_by.key)
            pages.append({"url": services.verify_url(cert.token), "texts": texts})
        job = {
            "font_path": face.path,
            "font_index": face.subfont_index,
            "page_mm": spec.page.dimensions_mm(),
            "fallbacks": [[faces[k].path, faces[k].subfont_index] for k in fallbacks],
            "face_of": face_of,
            "background": services.image_path(background),
            "qr": [qr.x_mm, qr.y_mm, qr.width_mm],
            "qr_version": encoder.fixed.version,
            "qr_mask": encoder.fixed.mask,
            "pages": pages,
        }
    return env, job


def timed(cmd: list[str], env: dict, cpu: list | None = None) -> float:
    """Wall time of the process; its CPU time (user + system) is appended to `cpu`: on a shared machine the
    wall time includes waiting for a core, the CPU time does not."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def main(count: int = 366, repeat: int = 5, rare: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env, job = prepare(tmp, count, rare)
        src = os.path.join(tmp, "pages.json")
        with open(src, "w", encoding="utf-8") as fh:
            json.dump(job, fh, ensure_ascii=False)
        flask = os.path.join(os.path.dirname(sys.executable), "flask")
        ours_cmd = [flask, "certificates", "render", "--contest", "1", "--out", os.path.join(tmp, "ours.pdf")]
        bare_cmd = [
            sys.executable,
            os.path.join(ROOT, "bench", "_bare_certificates.py"),
            src,
            os.path.join(tmp, "bare.pdf"),
        ]
        first = timed(ours_cmd, env)  # builds instance/font-index.json if it is missing or stale, writes bytecode
        timed(bare_cmd, env)
        ours, bare, ours_cpu, bare_cpu = [], [], [], []
        for _ in range(repeat):  # interleaved, so load on the shared machine hits both alike
            ours.append(timed(ours_cmd, env, ours_cpu))
            bare.append(timed(bare_cmd, env, bare_cpu))
    result = {
        "count": count,
        "rare": rare,
        "ours_s": min(ours),
        "bare_s": min(bare),
        "first_run_s": first,
        "ratio": min(bare) / min(ours),
        "ours_cpu_s": min(ours_cpu),
        "bare_cpu_s": min(bare_cpu),
        "cpu_ratio": min(bare_cpu) / min(ours_cpu),
    }
    label = "certificates_cli_render_rare_names" if rare else "certificates_cli_render"
    print(
        f"{label}: {count / result['ours_s']:.0f} certificates/s "
        f"({result['ratio']:.2f}x bare ReportLab process at {count / result['bare_s']:.0f}/s; "
        f"{result['ours_s']:.2f} s vs {result['bare_s']:.2f} s, best of {repeat}, start-up included)"
    )
    print(
        f"{label}_cpu: {result['cpu_ratio']:.2f}x bare in CPU time (user+system, best of {repeat}): "
        f"{result['ours_cpu_s']:.2f} s vs {result['bare_cpu_s']:.2f} s"
    )
    print(f"certificates_cli_first_run: {first:.2f} s (font index built if instance/ had none)")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=366)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rare", action="store_true", help="two holders are 刘䶮 and 董𠮷祥 (two more faces embedded)")
    args = parser.parse_args()
    main(args.count, args.repeat, args.rare)
