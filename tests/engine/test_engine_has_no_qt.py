"""engine/ must never import Qt: it is used from a shell and the command line."""

import pkgutil

from qt_free import import_in_fresh_python


def test_importing_every_engine_module_loads_no_qt():
    import engine

    names = [f"engine.{m.name}" for m in pkgutil.iter_modules(engine.__path__)]
    assert len(names) >= 6
    out = import_in_fresh_python(names)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"engine loaded Qt modules: {out.stdout}"
