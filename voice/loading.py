"""Loading the recogniser: a model from the catalog, wrapped for the voice pipeline.

Called once, in the app's lifespan (or by a command), with plain options; the result is
shared by every session. The service passes its settings as
``load_transcriber(**settings.stt.loader_options())``.
"""

from __future__ import annotations

from pathlib import Path

from common.executor import BoundedExecutor
from models.catalog import is_fitted, resolve_asr
from voice.stt import SttOptions, WhisperTranscriber


def load_transcriber(model: str, *, compute_type: str = "int8", cpu_threads: int = 0, workers: int = 1,
                     beam_size: int = 1, spelling_pass: bool = True, spelling_model: str = "",
                     language: str | None = "en", cache_dir: Path = Path("var/models"),
                     side_pool: BoundedExecutor | None = None) -> WhisperTranscriber:
    """Load ``model`` (a catalog name or a CTranslate2 directory).

    The project's own trained models (:func:`models.catalog.is_fitted`) spell by themselves:
    they get :class:`voice.fitted_stt.FittedTranscriber`, with no constrained passes and no
    second model. Others get :class:`WhisperTranscriber`, with ``spelling_model`` (when set
    and different) running the constrained spelling pass beside the recogniser's own, in
    ``side_pool`` (without one: after it, in the same thread).
    """
    if is_fitted(model):
        from voice.fitted_stt import FittedTranscriber

        return FittedTranscriber.load(
            resolve_asr(model, cache_dir=cache_dir), compute_type=compute_type, cpu_threads=cpu_threads,
            workers=workers, options=SttOptions(beam_size=beam_size, spelling_pass=False, language=language))
    options = SttOptions(beam_size=beam_size, spelling_pass=spelling_pass, language=language)
    speller = None
    if spelling_pass and spelling_model and spelling_model != model:
        speller = WhisperTranscriber.load(resolve_asr(spelling_model, cache_dir=cache_dir),
                                          compute_type=compute_type, cpu_threads=cpu_threads,
                                          workers=workers, options=options)
    return WhisperTranscriber.load(resolve_asr(model, cache_dir=cache_dir), compute_type=compute_type,
                                   cpu_threads=cpu_threads, workers=workers, options=options, speller=speller,
                                   side_pool=side_pool if speller is not None else None)
