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

# The commands: the first word of each line of --help's "commands:" list.
_labctl_commands() {
	"$(_labctl_bin)" --help 2>/dev/null |
		awk '/^[a-z]/ { s = ($0 == "commands:") } s && /^  [a-z]/ { print $1 }' | sort -u
}

# The global options: those of the usage lines and of a "global options"
# list, not the commands' own.
_labctl_global_options() {
	"$(_labctl_bin)" --help 2>/dev/null |
		awk '/^[a-z]/ { s = ($0 !~ /^commands:/) } s' |
		grep -oE -- '(^|[^A-Za-z0-9_-])--?[a-z][a-z-]*' | sed 's/^[^-]*//' | sort -u
}

# The options a command takes, from `labctl COMMAND --help`.
_labctl_command_options() { # COMMAND
	"$(_labctl_bin)" "$1" --help 2>/dev/null | sed 's/\[GLOBAL OPTIONS\]//' |
		grep -oE -- '(^|[^A-Za-z0-9_-])--?[a-z][a-z-]*' | sed 's/^[^-]*//' | sort -u
}

# A lab's node names, from status --json.
_labctl_nodes() { # LAB
	_labctl_run --json status "$1" | {
		if command -v python3 >/dev/null 2>&1; then
			python3 -c '
import json, sys
try:
    for l in json.load(sys.stdin).get("labs", []):
        for n in l.get("nodes", []):
            print(n["name"])
except Exception:
    pass
' 2>/dev/null
		else
			tr '{' '\n' | grep -v '"nodes"' | sed -n 's/.*"name"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p'
		fi
	}
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

	# The command, its arguments so far, and the global options typed before
	# or after it (passed on to the labctl runs that list labs and images).
	local i w cmd="" args=()
	_labctl_globals=()
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		-c | --connect | --sysfs | --procfs | --devfs | --state-dir | --cache-dir | --templates | --catalog | --inventory)
			_labctl_globals+=("$w" "${words[i + 1]:-}")
			i=$((i + 1))
			;;
		--json | -q | --quiet | -v | --verbose) ;;
		-o | --output | -j | --jobs | --pf | --modprobe-dir | --format | --node | --host | --from-snapshot | --unplug-timeout) i=$((i + 1)) ;;
		--) break ;;
		--connect=* | --sysfs=* | --procfs=* | --devfs=* | --state-dir=* | --cache-dir=* | --templates=* | --catalog=* | --inventory=*)
			_labctl_globals+=("$w")
			;;
		-*) ;;
		*)
			if [ -z "$cmd" ]; then cmd=$w; else args+=("$w"); fi
			;;
		esac
	done

	# the value of an option
	case $prev in
	--sysfs | --procfs | --devfs | --state-dir | --cache-dir | --templates | -o | --output | --modprobe-dir)
		_labctl_files dir
		return 0
		;;
	--catalog)
		_labctl_files yaml
		return 0
		;;
	--format)
		COMPREPLY=($(compgen -W "yaml ini" -- "$cur"))
		return 0
		;;
	--inventory)
		COMPREPLY=($(compgen -W "sysfs libvirt" -- "$cur"))
		return 0
		;;
	--node)
		[ "$cmd" = status ] || [ "$cmd" = down ] &&
			[ ${#args[@]} -ge 1 ] && COMPREPLY=($(compgen -W "$(_labctl_nodes "${args[0]}")" -- "$cur"))
		return 0
		;;
	-c | --connect | -j | --jobs | --pf | --host | --from-snapshot | --unplug-timeout) return 0 ;;
	esac

	if [[ $cur == -* ]]; then
		if [ -z "$cmd" ]; then
			COMPREPLY=($(compgen -W "$(_labctl_global_options)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_labctl_command_options "$cmd") $(_labctl_global_options)" -- "$cur"))
		fi
		return 0
	fi
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "$(_labctl_commands)" -- "$cur"))
		return 0
	fi

	local n=${#args[@]} # arguments before the one being completed
	case $cmd in
	validate | graph | render | up | recreate)
		((n == 0)) && _labctl_files yaml
		;;
	down | status)
		((n == 0)) || return 0
		COMPREPLY=($(compgen -W "$(_labctl_run --json status | _labctl_json_names labs)" -- "$cur"))
		# down also takes a topology file
		if [ "$cmd" = down ]; then
			local labs=("${COMPREPLY[@]}")
			_labctl_files yaml
			COMPREPLY=("${labs[@]}" "${COMPREPLY[@]}")
		fi
		;;
	ssh | console | inventory)
		if ((n == 0)); then
			COMPREPLY=($(compgen -W "$(_labctl_run --json status | _labctl_json_names labs)" -- "$cur"))
		elif ((n == 1)) && [ "$cmd" != inventory ]; then
			COMPREPLY=($(compgen -W "$(_labctl_nodes "${args[0]}")" -- "$cur"))
		fi
		;;
	help)
		((n == 0)) && COMPREPLY=($(compgen -W "$(_labctl_commands)" -- "$cur"))
		;;
	snapshot)
		if ((n == 0)); then
			COMPREPLY=($(compgen -W "save revert ls rm" -- "$cur"))
		elif ((n == 1)); then
			COMPREPLY=($(compgen -W "$(_labctl_run --json status | _labctl_json_names labs)" -- "$cur"))
		elif ((n == 2)) && { [ "${args[0]}" = revert ] || [ "${args[0]}" = rm ]; }; then
			COMPREPLY=($(compgen -W "$(_labctl_run --json snapshot ls "${args[1]}" | _labctl_json_names snapshots)" -- "$cur"))
		fi
		;;
	image)
		if ((n == 0)); then
			COMPREPLY=($(compgen -W "pull ls rm" -- "$cur"))
		elif ((n == 1)) && { [ "${args[0]}" = pull ] || [ "${args[0]}" = rm ]; }; then
			COMPREPLY=($(compgen -W "$(_labctl_run --json image ls | _labctl_json_names images)" -- "$cur"))
		fi
		;;
	host)
		if ((n == 0)); then
			COMPREPLY=($(compgen -W "check vfs prepare" -- "$cur"))
		elif ((n == 1)) && { [ "${args[0]}" = prepare ] || [ "${args[0]}" = vfs ]; }; then
			_labctl_files yaml
		fi
		;;
	esac
	return 0
}

complete -F _labctl labctl
