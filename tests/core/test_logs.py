"""Request ids: returned in a header, stamped on log records, shown on the error page; JSON lines on demand."""

import json
import logging

from flask import current_app

from core.logs import JsonFormatter, RequestIdFilter


def test_each_response_carries_a_request_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_proxy_request_id_is_kept_and_a_malformed_one_replaced(client):
    assert (
        client.get("/healthz", headers={"X-Request-ID": "nginx-4f2a9c1e"}).headers["X-Request-ID"] == "nginx-4f2a9c1e"
    )
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"}).headers["X-Request-ID"]
    assert "<" not in replaced and len(replaced) == 32


def test_records_written_during_a_request_carry_its_id(app):
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record)

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    current_app.logger.addHandler(handler)
    try:
        with app.test_request_context("/", headers={"X-Request-ID": "req-12345678"}):
            app.preprocess_request()
            current_app.logger.warning("评审出错")
        current_app.logger.warning("outside")
    finally:
        current_app.logger.removeHandler(handler)
    assert [(r.getMessage(), r.request_id) for r in seen] == [("评审出错", "req-12345678"), ("outside", "-")]


def test_json_lines_hold_the_request_id_and_chinese_text():
    record = logging.LogRecord("kechuang", logging.ERROR, __file__, 1, "导入失败：%s", ("第3行",), None)
    record.request_id = "abc12345"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "abc12345" and entry["message"] == "导入失败：第3行" and entry["level"] == "ERROR"


def test_the_server_error_page_quotes_the_request_id(app):
    from core.security import handle_server_error

    with app.test_request_context("/", headers={"X-Request-ID": "trace-00000001"}):
        app.preprocess_request()
        body, status = handle_server_error(RuntimeError("boom"))
    assert status == 500 and "trace-00000001" in body and "请求编号" in body
