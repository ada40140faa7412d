import subprocess
import sys


def test_core_imports_no_opencv_mediapipe_or_cli():
    code = (
        "import sys, ankle_cv.core, ankle_cv.core.quality, ankle_cv.protocols.knee_to_wall;"
        "heavy = [m for m in ('cv2', 'mediapipe', 'click', 'matplotlib') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_package_import_is_light():
    code = "import sys, ankle_cv, ankle_cv.cli; print('cv2' in sys.modules or 'mediapipe' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_core_modules_import_only_numpy_scipy_and_the_standard_library():
    import ast
    import sys
    from pathlib import Path

    allowed = {"numpy", "scipy", "__future__"} | set(sys.stdlib_module_names)
    core = Path(__file__).resolve().parents[1] / "ankle_cv" / "core"
    for path in core.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
