#!/bin/sh
# The documentation a user finds agrees with the binary: docs/labctl.1 has no
# mandoc warning; the commands `labctl --help` lists, the man page's COMMANDS
# and README's command block are the same set (each read from its source, so
# a command added to one and not the others fails here); every option --help
# shows is in the man page and in README's block and the other way round for
# README; every global option the man page's OPTIONS gives is one labctl
# accepts; and no file points at a spec the repository does not hold.
# Usage: test-docs.sh BIN
set -u
. "$(dirname "$0")/lib.sh"
MAN=$SRC/docs/labctl.1
README=$SRC/README.md

mandoc -T lint -W warning "$MAN" >"$T/lint" 2>&1 || say "mandoc -T lint failed: $(cat "$T/lint")"
[ -s "$T/lint" ] && say "mandoc -T lint warns: $(cat "$T/lint")"
# the page as a reader sees it, without overstrike
mandoc -T utf8 -O width=200 "$MAN" 2>/dev/null | sed 's/.\x08//g' >"$T/man.txt"
[ -s "$T/man.txt" ] || say "mandoc renders nothing of $MAN"

"$BIN" --help >"$T/help" 2>&1 || say "labctl --help exited $?"

# commands: the first word of each entry
sed -n '/^commands:/,$p' "$T/help" | sed -n 's/^  \([a-z][a-z0-9-]*\).*/\1/p' | sort -u >"$T/cmd.help"
# the man page's COMMANDS: the tag line after each .TP, font escapes removed
awk '/^\.SH /{s = ($2 == "COMMANDS"); next} s && tag {print; tag = 0} s && /^\.TP/{tag = 1}' "$MAN" |
	sed 's/\\f[BIRP]//g' | awk '{print $1}' | sort -u >"$T/cmd.man"
# README: the fenced block under "## Commands"
awk '/^## /{s = ($0 == "## Commands"); next} s && /^```/{if (b) exit; b = 1; next} s && b' "$README" >"$T/readme.block"
sed -n 's/^  \([a-z][a-z0-9-]*\).*/\1/p' "$T/readme.block" | sort -u >"$T/cmd.readme"
[ "$(wc -l <"$T/cmd.help")" -ge 5 ] || say "--help lists too few commands to be read right: $(cat "$T/cmd.help")"
for src in man readme; do
	for c in $(comm -23 "$T/cmd.help" "$T/cmd.$src"); do say "$src lacks the command '$c' that --help lists"; done
	for c in $(comm -13 "$T/cmd.help" "$T/cmd.$src"); do say "$src lists a command '$c' that --help does not"; done
done

# options: every -x / --long-name written as one
opts() { grep -oE -- '(^|[^A-Za-z0-9_-])--?[a-z][a-z-]*' "$1" | sed 's/^[^-]*//' | sort -u; }
opts "$T/help" >"$T/opt.help"
opts "$T/man.txt" >"$T/opt.man"
opts "$T/readme.block" >"$T/opt.readme"
[ "$(wc -l <"$T/opt.help")" -ge 10 ] || say "--help shows too few options to be read right: $(cat "$T/opt.help")"
for o in $(comm -23 "$T/opt.help" "$T/opt.man"); do say "the man page lacks the option '$o' that --help shows"; done
for o in $(comm -23 "$T/opt.help" "$T/opt.readme"); do say "README's command block lacks the option '$o' that --help shows"; done
for o in $(comm -13 "$T/opt.help" "$T/opt.readme"); do say "README's command block shows an option '$o' that --help does not"; done

# the man page's global options are labctl's: each, with an argument when the
# page gives one, followed by --help must be accepted (an unknown one exits 2)
sed -n '/^OPTIONS$/,/^COMMANDS$/p' "$T/man.txt" | grep -E '^       -' >"$T/man.opts"
[ "$(wc -l <"$T/man.opts")" -ge 10 ] || say "the man page's OPTIONS has too few entries to be read right"
while IFS= read -r line; do
	arg=$(printf '%s\n' "$line" | grep -oE ' [A-Z]+$' | tr -d ' ')
	for o in $(printf '%s\n' "$line" | grep -oE -- '--?[a-z][a-z-]*'); do
		[ "$o" = -h ] || [ "$o" = --help ] && continue
		if [ -n "$arg" ]; then
			"$BIN" "$o" x --help >"$T/out" 2>&1
		else
			"$BIN" "$o" --help >"$T/out" 2>&1
		fi
		rc=$?
		[ $rc = 0 ] || say "labctl refuses the man page's option $o${arg:+ $arg} (exit $rc): $(cat "$T/out")"
	done
done <"$T/man.opts"

# nothing points at a spec the repository does not hold
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
	# (the word spelt in two pieces, so this file does not match itself)
	git -C "$SRC" grep -nw "S""PEC" -- . >"$T/spec" && say "files cite a spec the repository does not hold: $(cat "$T/spec")"
	for d in topology xml vfs state-dir; do
		[ -s "$SRC/docs/$d.md" ] || say "docs/$d.md is missing"
	done
fi

[ $fail = 0 ] && echo "docs: man page lint-clean; --help, man page and README agree on $(wc -l <"$T/cmd.help") commands and $(wc -l <"$T/opt.help") options"
exit $fail
