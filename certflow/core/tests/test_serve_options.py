"""`certflow serve` options that matter when several servers share one host (bench/RESULTS.md, issue 9)."""

from certflow.core.management.commands import serve


def test_serve_does_not_open_gunicorns_shared_control_socket(monkeypatch):
    seen = {}

    def capture(self):
        seen.update(self.options)

    monkeypatch.setattr(serve._Gunicorn, "run", capture)
    monkeypatch.setattr(serve._Gunicorn, "__init__", lambda self, options: setattr(self, "options", options))
    serve.Command().handle(bind="127.0.0.1:0", workers=1, threads=1, timeout=5)
    assert seen["control_socket_disable"] is True
    assert seen["bind"] == "127.0.0.1:0"


def test_the_option_is_one_gunicorn_knows():
    from gunicorn.config import Config

    config = Config()
    config.set("control_socket_disable", True)
    assert config.control_socket_disable is True
