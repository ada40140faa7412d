"""Where the annotated frames go: a window (OpenCV's highgui) that also reads the keys, or a
printer for the headless mode. Each ``show`` returns the action a key asked for."""

from __future__ import annotations

import enum
import time
from collections.abc import Callable

import numpy as np


class Action(enum.Enum):
    """What a key asks for."""

    TOGGLE = "toggle"  # start (after the countdown) or stop recording
    QUIT = "quit"


#: Keys (as ``cv2.waitKey`` codes) and their actions: space or r records, q or Esc quits.
KEYS = {ord(" "): Action.TOGGLE, ord("r"): Action.TOGGLE, ord("R"): Action.TOGGLE,
        ord("q"): Action.QUIT, ord("Q"): Action.QUIT, 27: Action.QUIT}


def action_for_key(code: int) -> Action | None:
    """The action of a ``cv2.waitKey`` code (-1: no key)."""
    return KEYS.get(code & 0xFF) if code >= 0 else None


class WindowDisplay:
    """An OpenCV window (resizable, keeping the picture's aspect ratio); closing it quits."""

    def __init__(self, title: str = "ankle-cv live") -> None:
        import cv2

        self._cv2 = cv2
        self.title = title
        cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
        self._shown = False

    def show(self, image_bgr: np.ndarray, line: str = "") -> Action | None:
        cv2 = self._cv2
        if not self._shown:
            cv2.resizeWindow(self.title, image_bgr.shape[1], image_bgr.shape[0])
        cv2.imshow(self.title, image_bgr)
        self._shown = True
        return self.poll(1)

    def poll(self, wait_ms: int = 10) -> Action | None:
        """Process window events for ``wait_ms``; the action of a key pressed, QUIT if the
        window was closed."""
        cv2 = self._cv2
        action = action_for_key(cv2.waitKey(wait_ms))
        if action is None and self._shown and cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
            return Action.QUIT
        return action

    def close(self) -> None:
        self._cv2.destroyWindow(self.title)
        self._cv2.waitKey(1)


class PrintDisplay:
    """The headless mode: prints the line of a frame about every ``period_s`` seconds; no keys
    (Ctrl-C, SIGTERM, the end of a file or ``--duration-s`` stop it)."""

    def __init__(self, echo: Callable[[str], None] = print, *, period_s: float = 0.5) -> None:
        self.echo, self.period_s = echo, float(period_s)
        self._last = -float("inf")
        self.printed = 0

    def show(self, image_bgr: np.ndarray, line: str = "") -> Action | None:
        now = time.monotonic()
        if now - self._last >= self.period_s:
            self.echo(line)
            self.printed += 1
            self._last = now
        return None

    def poll(self, wait_ms: int = 10) -> Action | None:
        time.sleep(wait_ms / 1000.0)
        return None

    def close(self) -> None:
        """Nothing to close: the printer holds no resource."""
