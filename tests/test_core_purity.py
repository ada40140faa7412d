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
