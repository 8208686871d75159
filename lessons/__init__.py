"""The course on "Attention is all you need", as an importable package.

    lessons/NN_topic.py        the lessons: code cells (jupytext "percent" scripts)
    lessons/text/<lang>/       their prose and printed labels, one file per lesson
                               and language (course.md holds the shared labels)
    lessons/utils.py           outputs, the fast setting, figures shown inline
    lessons/i18n.py            the course language and the texts: say("key", ...)
    lessons/catalog.py         the list of lessons, with titles in each language
    lessons/notebooks.py       a lesson and its texts -> a notebook of one language
    lessons/cli.py             the `lesson` command group of cli.py

A lesson imports its helpers as `from lessons.utils import ...`, so it runs as a
script or a notebook from any folder once the project is installed (`uv sync`).
lessons/README.md says how to write and convert a lesson.
"""
