"""Every user-facing string can be translated: tr() takes literals only, and the committed Qt
Linguist file (i18n/landslide_lsm_en.ts) holds exactly the strings of the code (parsed with
ast, nothing imported; scripts/update_translations.py does both)."""

import xml.etree.ElementTree as ET

import update_translations as ut

TEMPLATE = ut.ts_path(ut.TEMPLATE_LOCALE)


def test_every_translated_string_is_a_literal():
    problems = ut.check_package()
    assert not problems, ("strings that cannot be extracted for translation "
                          "(scripts/update_translations.py):\n" + "\n".join(problems))


def test_the_check_catches_every_untranslatable_form():
    """A test of the test: each rule on a tiny synthetic package."""
    sources = {
        "translation.py": 'CONTEXT = "LandslideLsm"\n'
                          "def tr(text):\n"
                          "    return QCoreApplication.translate(CONTEXT, text)\n"
                          "def translated(marked):\n"
                          "    return QCoreApplication.translate(CONTEXT, marked)\n",
        "bad.py": (
            "from .translation import tr, tr_noop, translated\n"               # 1
            "TITLE = 'not marked'\n"                                          # 2
            "class Alg(LsmAlgorithm):\n"                                      # 3
            "    def init(self, name, n):\n"                                  # 4
            "        self.tr(f'Hello {name}')\n"                              # 5
            "        self.tr('Hello ' + name)\n"                              # 6
            "        self.tr('%d cells' % n)\n"                               # 7
            "        self.tr(name)\n"                                         # 8
            "        tr('{} cells'.format(n))\n"                              # 9
            "        QCoreApplication.translate('Ctx', f'{n}')\n"             # 10
            "        tr_noop(name)\n"                                         # 11
            "        translated(f'{name}')\n"                                 # 12
            "        translated(self.TITLE)\n"                                # 13
            "        translated(UNKNOWN)\n"                                   # 14
            "        QgsProcessingParameterNumber('N', 'Not translated')\n"  # 15
            "        p.setHelp('Not translated')\n"                           # 16
            "        self.add_parameter(p, f'{n}')\n"),                       # 17
        "good.py": (
            "from .translation import tr, tr_noop, translated, translated_all\n"
            "LABELS = [tr_noop('One'), tr_noop('Two')]\n"
            "HELP_BY_KEY = {'a': tr_noop('A'), 'b': tr_noop('B')}\n"
            "class Good(LsmAlgorithm):\n"
            "    HELP = tr_noop('<p>Help {n}</p>')\n"
            "    def tr(self, text):\n"
            "        return tr(text)\n"
            "    def init(self, n):\n"
            "        self.tr('{} cells').format(n)\n"
            "        self.tr('Implicit ' 'concatenation')\n"
            "        QCoreApplication.translate('Ctx', 'Text')\n"
            "        p = QgsProcessingParameterEnum('E', self.tr('Enum'), translated_all(LABELS))\n"
            "        self.add_parameter(p, self.tr('Help of {}').format(n))\n"
            "        QgsProcessingOutputNumber('N', translated(HELP_BY_KEY['a']))\n"
            "        return translated(self.HELP).format(n=n)\n"),
    }
    problems = ut.check_package(sources=sources)
    assert not [p for p in problems if p.startswith("good.py")], problems
    lines = sorted({int(p.split(":")[1]) for p in problems if p.startswith("bad.py")})
    assert lines == [2, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17], problems
    assert any("bad.py:5: tr() of an f-string" in p for p in problems)
    assert any("bad.py:6: tr() of a concatenation" in p for p in problems)
    assert any("bad.py:7: tr() of % formatting" in p for p in problems)
    assert any("bad.py:2: TITLE is translated with translated() (bad.py:13)" in p
               for p in problems)


def test_extraction_gives_each_string_its_context():
    sources = {
        "translation.py": 'CONTEXT = "LandslideLsm"\n',
        "alg.py": (
            "class Base(QgsProcessingAlgorithm):\n"
            "    def tr(self, text):\n"
            "        return QCoreApplication.translate('LandslideLsm', text)\n"
            "class Alg(Base):\n"
            "    TITLE = tr_noop('Marked title')\n"
            "    def f(self):\n"
            "        return self.tr('Algorithm text'), tr('Module text')\n"
            "class Widget(QWidget):\n"
            "    def f(self):\n"
            "        return self.tr('Qt default context'), translate('Other', 'Given')\n"),
    }
    messages = {(m.source, m.context) for m in ut.extract(sources=sources)}
    assert messages == {("Marked title", "LandslideLsm"), ("Algorithm text", "LandslideLsm"),
                        ("Module text", "LandslideLsm"), ("Qt default context", "Widget"),
                        ("Given", "Other")}


def test_the_committed_ts_file_is_up_to_date_and_valid():
    """Run `.venv/bin/python scripts/update_translations.py` after changing user-facing text."""
    root = ET.parse(TEMPLATE).getroot()  # well-formed XML
    assert root.tag == "TS" and root.get("version") == ut.TS_VERSION
    assert root.get("language") == ut.TEMPLATE_LOCALE
    for message in root.iter("message"):
        assert message.find("source") is not None and message.find("translation") is not None
        assert message.find("location") is not None
    code = {(m.context, m.source) for m in ut.extract()}
    committed = ut.ts_messages(TEMPLATE)
    assert not code - committed, ("strings missing from the .ts (run scripts/"
                                  f"update_translations.py): {sorted(code - committed)[:5]}")
    assert not committed - code, f"strings no longer in the code: {sorted(committed - code)[:5]}"
    assert ut.stale() == []
    # the algorithms' names, a parameter's help, the dock's labels: all in it
    sources = {source for _, source in committed}
    assert {"Classify LSI into susceptibility zones", "Number of classes",
            "Landslide susceptibility: compare models", "Refresh"} <= sources
    assert len(committed) > 400


def test_updating_keeps_translations_and_marks_what_vanished(tmp_path):
    messages = [ut.Message("LandslideLsm", "Kept", [("../a.py", 1)]),
                ut.Message("LandslideLsm", "New", [("../a.py", 2)])]
    previous = {("LandslideLsm", "Kept"): ("Behalten", ""),
                ("LandslideLsm", "Gone"): ("Weg", ""),
                ("LandslideLsm", "Gone untranslated"): ("", "unfinished")}
    path = tmp_path / "landslide_lsm_de.ts"
    path.write_text(ut.render_ts(messages, "de", previous), encoding="utf-8")
    language, read = ut.read_ts(path)
    assert language == "de"
    assert read == {("LandslideLsm", "Kept"): ("Behalten", ""),
                    ("LandslideLsm", "New"): ("", "unfinished"),
                    ("LandslideLsm", "Gone"): ("Weg", "vanished")}
    assert ut.ts_messages(path) == {("LandslideLsm", "Kept"), ("LandslideLsm", "New")}
    assert '<translation type="unfinished"></translation>' in path.read_text(encoding="utf-8")
