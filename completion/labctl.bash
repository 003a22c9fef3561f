# bash completion for labctl; installed as
# $(PREFIX)/share/bash-completion/completions/labctl.
#
# The commands and global options are read from `labctl --help` of the binary
# being completed, so a new command needs no edit here. Lab names come from
# `labctl status --json`, image names from `labctl image ls --json`, both run
# with the global options already typed (-c URI, --state-dir DIR, ...), so
# they are the labs of the connection and state dir the command will use.

# The words of the line with "a:b" and "--opt=val" kept whole: bash splits
# them at COMP_WORDBREAKS. Sets _labctl_words and _labctl_cword.
_labctl_reassemble() {
	_labctl_words=()
	_labctl_cword=0
	local i w n=-1 join=0
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		if ((n >= 0)) && { [[ $w == [:=] ]] || ((join)); }; then
			_labctl_words[n]+=$w
		else
			n=$((n + 1))
			_labctl_words[n]=$w
		fi
		join=0
		[[ $w == [:=] ]] && join=1
		((i == COMP_CWORD)) && _labctl_cword=$n
	done
	return 0
}

# The labctl binary as typed (~ expanded).
_labctl_bin() {
	local b=${_labctl_words[0]}
	[[ $b == "~/"* ]] && b=$HOME/${b#"~/"}
	printf '%s\n' "$b"
}

_labctl_commands() {
	"$(_labctl_bin)" --help 2>/dev/null | sed -n '/^commands:/,$s/^  \([a-z][a-z0-9-]*\).*/\1/p' | sort -u
}

_labctl_global_options() {
	"$(_labctl_bin)" --help 2>/dev/null | sed '/^commands:/,$d' |
		grep -oE -- '(^|[^A-Za-z0-9_-])--?[a-z][a-z-]*' | sed 's/^[^-]*//' | sort -u
}

# The names in a --json listing: "name" values of the objects under KEY
# (labs or images). python3 when there is one, else a tolerant sed.
_labctl_json_names() { # KEY (the JSON on stdin)
	if command -v python3 >/dev/null 2>&1; then
		python3 -c '
import json, sys
try:
    for o in json.load(sys.stdin).get(sys.argv[1], []):
        print(o["name"])
except Exception:
    pass
' "$1" 2>/dev/null
	elif [ "$1" = labs ]; then
		# a lab object is the one holding "nodes"; its nodes' names are not labs
		tr '{' '\n' | grep '"nodes"' | sed -n 's/.*"name"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p'
	else
		tr '{' '\n' | sed -n 's/.*"name"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p'
	fi
}

# labctl with the global options typed so far, then ARGS.
_labctl_run() {
	"$(_labctl_bin)" "${_labctl_globals[@]}" "$@" 2>/dev/null
}

_labctl_files() { # yaml or dir
	local IFS=$'\n'
	compopt -o filenames 2>/dev/null
	if [ "$1" = dir ]; then
		COMPREPLY=($(compgen -d -- "$cur"))
	else
		COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X '!*.yaml' -- "$cur") $(compgen -f -X '!*.yml' -- "$cur"))
	fi
}

_labctl() {
	local cur=${COMP_WORDS[COMP_CWORD]} IFS=$' \t\n'
	COMPREPLY=()
	_labctl_reassemble
	local words=("${_labctl_words[@]}") cword=$_labctl_cword
	local prev=${words[cword - 1]:-}
	# "--opt=VALUE": complete VALUE (bash's word is what follows the '=')
	if [[ ${words[cword]} == --*=* ]]; then
		prev=${words[cword]%%=*}
		[ "$cur" = "=" ] && cur=""
	fi

	# the global options typed before the command, and the command
	local i cmd="" cmdi=0
	_labctl_globals=()
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-c | --connect | --sysfs | --procfs | --devfs | --state-dir | --cache-dir | --templates | --catalog)
			_labctl_globals+=("${words[i]}" "${words[i + 1]:-}")
			i=$((i + 1))
			;;
		--json | -q | --quiet | -v | --verbose) ;;
		-*) _labctl_globals+=("${words[i]}") ;;
		*)
			cmd=${words[i]}
			cmdi=$i
			break
			;;
		esac
	done

	if [ -z "$cmd" ]; then
		case $prev in
		--sysfs | --procfs | --devfs | --state-dir | --cache-dir | --templates)
			_labctl_files dir
			return 0
			;;
		--catalog)
			_labctl_files yaml
			return 0
			;;
		-c | --connect) return 0 ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(_labctl_global_options)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_labctl_commands)" -- "$cur"))
		fi
		return 0
	fi

	local arg=$((cword - cmdi)) # 1: the command's first argument
	case $cmd in
	validate | graph)
		_labctl_files yaml
		;;
	render)
		case $prev in
		-o | --output) _labctl_files dir ;;
		*) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-o --output" -- "$cur")); else _labctl_files yaml; fi ;;
		esac
		;;
	up | recreate)
		case $prev in
		-j | --jobs | --wait) return 0 ;;
		esac
		if [[ $cur == -* ]]; then
			local o="-j --jobs --wait"
			[ "$cmd" = up ] && o="$o --force"
			COMPREPLY=($(compgen -W "$o" -- "$cur"))
		else
			_labctl_files yaml
		fi
		;;
	down | status)
		((arg == 1)) || return 0
		COMPREPLY=($(compgen -W "$(_labctl_run --json status | _labctl_json_names labs)" -- "$cur"))
		# down also takes a topology file
		if [ "$cmd" = down ]; then
			local labs=("${COMPREPLY[@]}")
			_labctl_files yaml
			COMPREPLY=("${labs[@]}" "${COMPREPLY[@]}")
		fi
		;;
	image)
		if ((arg == 1)); then
			COMPREPLY=($(compgen -W "pull ls rm" -- "$cur"))
		elif ((arg == 2)) && { [ "${words[cmdi + 1]}" = pull ] || [ "${words[cmdi + 1]}" = rm ]; }; then
			COMPREPLY=($(compgen -W "$(_labctl_run --json image ls | _labctl_json_names images)" -- "$cur"))
		fi
		;;
	host)
		if ((arg == 1)); then
			COMPREPLY=($(compgen -W "check vfs prepare" -- "$cur"))
		elif [ "${words[cmdi + 1]}" = prepare ]; then
			case $prev in
			--modprobe-dir) _labctl_files dir ;;
			--pf) ;;
			*) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "--dry-run --pf --modprobe-dir" -- "$cur")); else _labctl_files yaml; fi ;;
			esac
		fi
		;;
	esac
	return 0
}

complete -F _labctl labctl
