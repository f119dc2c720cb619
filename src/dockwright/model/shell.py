"""Split the shell script of a RUN instruction into simple commands.

Good enough for linting: words are split with shlex, commands are separated by
``&&``, ``||``, ``;``, ``&`` and newlines; pipelines are kept together so rules can
see ``curl ... | sh``.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

_SEPARATORS = {"&&", "||", ";", "&", ";;"}
_CONTINUATION = re.compile(r"\\\r?\n")


@dataclass(frozen=True)
class Command:
    """One simple command: its words, and the commands piped into it (if any)."""

    words: tuple[str, ...]
    piped_from: tuple[tuple[str, ...], ...] = ()

    @property
    def program(self) -> str:
        """The program name without path, skipping `env VAR=x`, `sudo` and assignments."""
        for word in self.args_after_wrappers():
            return word.rsplit("/", 1)[-1]
        return ""

    def args_after_wrappers(self) -> tuple[str, ...]:
        """Words with leading assignments and wrappers (env, sudo, exec, time) removed."""
        words = list(self.words)
        while words and (_is_assignment(words[0]) or words[0] in {"env", "sudo", "exec", "time"}):
            words.pop(0)
        return tuple(words)

    def has(self, *words: str) -> bool:
        """True when every given word appears among this command's words."""
        return all(w in self.words for w in words)


def _is_assignment(word: str) -> bool:
    return bool(re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", word))


def _tokens(script: str) -> list[str]:
    text = _CONTINUATION.sub(" ", script)
    text = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    lexer = shlex.shlex(text.replace("\n", " ; "), posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:  # unbalanced quotes: fall back to plain splitting
        return text.replace("\n", " ; ").split()


def split_commands(script: str) -> list[Command]:
    """Return the simple commands of a shell script, in order."""
    commands: list[Command] = []
    current: list[str] = []
    pipe: list[tuple[str, ...]] = []
    for tok in [*_tokens(script), ";"]:
        if tok == "|":
            pipe.append(tuple(current))
            current = []
        elif tok in _SEPARATORS:
            if current:
                commands.append(Command(tuple(current), tuple(pipe)))
            current, pipe = [], []
        else:
            current.append(tok)
    return commands
