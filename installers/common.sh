# shellcheck shell=sh
# The shared part of installers/agent/install.sh and installers/poller/install.sh. The server inlines it
# into each where the role's script sources it, and fills in the @PULSE_…@ values, when it serves them at
# /agent/install.sh and /poller/install.sh (app/downloads/installer-script.ts). Not run on its own.
#
# The role's script sets ROLE (agent | poller), ROLE_A ("an agent"), ROLE_TITLE, ROLE_VALUE_OPTIONS (its
# extra options that take a value) and defines role_usage, role_option NAME VALUE, role_config FILE and
# role_whoami FILE. Order of work: every check first (root, host, arguments, token, download, checksum),
# then the files are staged next to their targets and renamed into place, then systemd starts the unit.
# A failure before the renames leaves the host as it was.

PULSE_SERVED=@PULSE_SERVED@
PULSE_DEFAULT_SERVER=@PULSE_DEFAULT_SERVER@

EXECUTABLE="lillydoo-pulse-$ROLE"
UNIT="$EXECUTABLE.service"
BIN_DIR=/usr/local/bin
BIN="$BIN_DIR/$EXECUTABLE"
UNIT_FILE="/etc/systemd/system/$UNIT"
CONF_DIR=/etc/lillydoo-pulse
CONF="$CONF_DIR/$ROLE.conf"
CA_COPY="$CONF_DIR/$ROLE-ca.pem"

# Exit codes (docs/install.md).
E_USAGE=2
E_ROOT=3
E_HOST=4
E_UNREACHABLE=5
E_TOKEN=6
E_DOWNLOAD=7
E_START=8

ACTION=install
OPT_TOKEN=
OPT_SERVER=
OPT_CA_FILE=
OPT_INSECURE=no
SERVER=
TOKEN=
CA_FILE=
INSECURE=no
ARCH=
HTTP_CLIENT=
WORK=
STAGED=
CREATED_DIRS=
FETCH_STATUS=
FETCH_ERROR=
FETCH_LOCATION=

say() {
	printf '%s\n' "$*"
}

# The one line a failure prints, then the exit (the EXIT trap removes whatever was staged).
die() {
	die_code=$1
	shift
	printf '%s installer: %s\n' "$EXECUTABLE" "$*" >&2
	exit "$die_code"
}

cleanup() {
	for staged in $STAGED; do
		rm -f "$staged"
	done
	for created in $CREATED_DIRS; do
		rmdir "$created" 2>/dev/null || true
	done
	if [ -n "$WORK" ]; then
		rm -rf "$WORK"
	fi
}

usage() {
	cat <<USAGE
LILLYDOO Pulse $ROLE_TITLE installer: installs $EXECUTABLE as the systemd service $UNIT.

  curl -s SERVER/$ROLE/install.sh | sudo sh -s -- --token sw_${ROLE}_... [options]

  --token TOKEN     $ROLE_A token (create one in the console's Tokens page); optional when
                    $CONF exists already (the installer then upgrades in place)
  --server URL      the Pulse server's address${PULSE_DEFAULT_SERVER:+ (default: $PULSE_DEFAULT_SERVER)}
  --ca-file FILE    PEM file of the CA that signed the server's certificate
  --insecure        do not verify the server's certificate (the $ROLE warns at every start)
$(role_usage)
  --uninstall       stop and remove the service and the executable (keeps $CONF and data)
  --purge           --uninstall, and remove $CONF and the $ROLE's data too
  --help            this text

Running it again upgrades $EXECUTABLE in place and keeps $CONF, changing only the values given.
USAGE
}

parse_args() {
	while [ $# -gt 0 ]; do
		opt=$1
		shift
		value=
		inline=no
		case $opt in
		--*=*)
			value=${opt#*=}
			opt=${opt%%=*}
			inline=yes
			;;
		esac
		case " --token --server --ca-file $ROLE_VALUE_OPTIONS " in
		*" $opt "*)
			if [ "$inline" = no ]; then
				if [ $# -eq 0 ]; then
					die "$E_USAGE" "$opt needs a value (--help shows every option)"
				fi
				value=$1
				shift
				case $value in
				--*) die "$E_USAGE" "$opt needs a value, not $value (--help shows every option)" ;;
				esac
			fi
			case $opt in
			--token) OPT_TOKEN=$value ;;
			--server) OPT_SERVER=$value ;;
			--ca-file) OPT_CA_FILE=$value ;;
			*) role_option "$opt" "$value" ;;
			esac
			continue
			;;
		esac
		if [ "$inline" = yes ]; then
			die "$E_USAGE" "$opt takes no value (--help shows every option)"
		fi
		case $opt in
		--insecure) OPT_INSECURE=yes ;;
		--uninstall) ACTION=uninstall ;;
		--purge) ACTION=purge ;;
		-h | --help)
			usage
			exit 0
			;;
		*) die "$E_USAGE" "unknown option $opt (--help shows every option)" ;;
		esac
	done
}

# A value for a TOML basic string (control characters are refused before this).
toml_string() {
	printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}

has_control_characters() {
	case $1 in
	*[[:cntrl:]]*) return 0 ;;
	esac
	return 1
}

# The raw value of a top-level KEY in a TOML FILE (what follows "KEY =" up to the end of the line).
toml_get() {
	[ -f "$2" ] || return 0
	PULSE_KEY=$1 awk '
		/^[ \t]*\[/ { exit }
		$0 ~ "^[ \t]*" ENVIRON["PULSE_KEY"] "[ \t]*=" { sub(/^[^=]*=[ \t]*/, ""); print; exit }
	' "$2"
}

# A top-level string KEY of FILE, for values without quotes or backslashes (URLs, tokens, paths).
toml_get_string() {
	toml_get "$1" "$2" | sed -n 's/^"\([^"\\]*\)".*/\1/p'
}

# Sets the top-level KEY of FILE to VALUE (a TOML literal), replacing its line or adding it before the
# first [table]; every other line, the administrator's too, stays as it is.
toml_set() {
	PULSE_KEY=$2 PULSE_VALUE=$3 awk '
		BEGIN { line = ENVIRON["PULSE_KEY"] " = " ENVIRON["PULSE_VALUE"]; done = 0 }
		!done && /^[ \t]*\[/ { print line; done = 1 }
		!done && $0 ~ "^[ \t]*" ENVIRON["PULSE_KEY"] "[ \t]*=" { print line; done = 1; next }
		{ print }
		END { if (!done) print line }
	' "$1" >"$1.tmp"
	mv -f "$1.tmp" "$1"
}

require_root() {
	if [ "$(id -u)" != 0 ]; then
		die "$E_ROOT" "must run as root: curl -s SERVER/$ROLE/install.sh | sudo sh -s -- --token ..."
	fi
}

require_systemd() {
	if [ "$(uname -s)" != Linux ]; then
		die "$E_HOST" "$EXECUTABLE runs on Linux only, this host runs $(uname -s)"
	fi
	if [ ! -d /run/systemd/system ] || ! command -v systemctl >/dev/null 2>&1; then
		die "$E_HOST" "systemd is not running on this host, and $EXECUTABLE runs as a systemd service: use a host booted with systemd, or run $EXECUTABLE by hand (docs/install.md)"
	fi
}

detect_arch() {
	machine=$(uname -m)
	case $machine in
	x86_64 | amd64) ARCH=x64 ;;
	aarch64 | arm64) ARCH=arm64 ;;
	*) die "$E_HOST" "unsupported architecture $machine: $EXECUTABLE is built for x86_64 and aarch64 only" ;;
	esac
}

detect_tools() {
	if command -v curl >/dev/null 2>&1; then
		HTTP_CLIENT=curl
	elif command -v wget >/dev/null 2>&1; then
		HTTP_CLIENT=wget
	else
		die "$E_HOST" "neither curl nor wget is installed: install one of them (apt-get install curl) and run the installer again"
	fi
	if ! command -v sha256sum >/dev/null 2>&1 && ! command -v openssl >/dev/null 2>&1; then
		die "$E_HOST" "neither sha256sum (coreutils) nor openssl is installed to verify the download"
	fi
}

package_installed() {
	command -v dpkg-query >/dev/null 2>&1 &&
		dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q ' installed$'
}

refuse_package() {
	if package_installed "$EXECUTABLE"; then
		die "$E_HOST" "$EXECUTABLE is installed from its Debian package here: edit $CONF and run systemctl restart $UNIT, or apt remove $EXECUTABLE before using this installer"
	fi
}

# What to install with: the options given, else the existing configuration's values, else the defaults.
resolve_settings() {
	existing_server=$(toml_get_string server "$CONF")
	existing_token=$(toml_get_string token "$CONF")
	existing_ca=$(toml_get_string ca_file "$CONF")
	SERVER=${OPT_SERVER:-${existing_server:-$PULSE_DEFAULT_SERVER}}
	TOKEN=${OPT_TOKEN:-$existing_token}
	if [ -z "$SERVER" ]; then
		die "$E_USAGE" "--server is missing: the address of your Pulse server, e.g. --server https://pulse.example.com"
	fi
	case $SERVER in
	http://?* | https://?*) ;;
	*) die "$E_USAGE" "--server must be an http:// or https:// address, not $SERVER" ;;
	esac
	case $SERVER in
	*[[:space:]]* | *[[:cntrl:]]* | *\"* | *\\*) die "$E_USAGE" "--server must be a plain URL without spaces, quotes or backslashes" ;;
	esac
	while :; do
		case $SERVER in
		*/) SERVER=${SERVER%/} ;;
		*) break ;;
		esac
	done
	if [ -z "$TOKEN" ]; then
		die "$E_USAGE" "--token is missing: create $ROLE_A token in the console's Tokens page (or POST /api/tokens/ with \"type\": \"$ROLE\") and pass it with --token"
	fi
	case $TOKEN in
	sw_"$ROLE"_*) ;;
	sw_admin_* | sw_agent_* | sw_poller_* | sw_ingest_*)
		given_type=${TOKEN#sw_}
		given_type=${given_type%%_*}
		die "$E_TOKEN" "that is $(article "$given_type") $given_type token, and the $ROLE installer needs $ROLE_A token (sw_${ROLE}_...): create one in the console's Tokens page"
		;;
	esac
	if ! printf '%s\n' "$TOKEN" | grep -Eq "^sw_${ROLE}_[0-9a-f]{64}\$"; then
		die "$E_TOKEN" "--token is not $ROLE_A token: those are sw_${ROLE}_ followed by 64 hex digits"
	fi
	if [ -n "$OPT_CA_FILE" ]; then
		if [ ! -r "$OPT_CA_FILE" ] || ! grep -q -- '-----BEGIN CERTIFICATE-----' "$OPT_CA_FILE"; then
			die "$E_USAGE" "--ca-file $OPT_CA_FILE is not a readable PEM certificate file"
		fi
		CA_FILE=$OPT_CA_FILE
	elif [ -n "$existing_ca" ] && [ -r "$existing_ca" ]; then
		CA_FILE=$existing_ca
	fi
	INSECURE=$OPT_INSECURE
	case $(toml_get insecure_skip_verify "$CONF") in
	true*) INSECURE=yes ;;
	esac
}

article() {
	case $1 in
	a* | e* | i* | o* | u*) printf 'an' ;;
	*) printf 'a' ;;
	esac
}

# fetch URL OUTPUT AUTH(yes|no) MAX_SECONDS: sets FETCH_STATUS (the HTTP status, 000 when there was no
# answer), FETCH_ERROR (why not) and FETCH_LOCATION (a redirect's target). The token goes to curl or
# wget in a file of their configuration, never on a command line that other users can see.
fetch() {
	FETCH_STATUS=000
	FETCH_ERROR=
	FETCH_LOCATION=
	rm -f "$2"
	if [ "$HTTP_CLIENT" = curl ]; then
		fetch_curl "$@"
	else
		fetch_wget "$@"
	fi
}

fetch_curl() {
	set -- "$1" "$2" "$3" "$4" --silent --show-error --globoff --proto =http,https --connect-timeout 10 \
		--max-time "$4" --output "$2" --write-out '%{http_code} %{redirect_url}'
	[ -n "$CA_FILE" ] && set -- "$@" --cacert "$CA_FILE"
	[ "$INSECURE" = yes ] && set -- "$@" --insecure
	[ "$3" = yes ] && set -- "$@" --config "$WORK/auth.curl"
	url=$1
	shift 4
	if written=$(curl "$@" "$url" 2>"$WORK/fetch.err" </dev/null); then
		FETCH_STATUS=${written%% *}
		FETCH_LOCATION=${written#* }
		return 0
	else
		code=$?
	fi
	case $code in
	6) FETCH_ERROR="cannot resolve its host name" ;;
	7) FETCH_ERROR="nothing answers at that address (connection refused or no route)" ;;
	28) FETCH_ERROR="no answer in time" ;;
	35 | 51 | 53 | 54 | 58 | 59 | 60 | 64 | 66 | 77 | 80 | 82 | 83 | 90 | 91)
		FETCH_ERROR="TLS failed ($(head -n 1 "$WORK/fetch.err" | sed 's/^curl: ([0-9]*) //')): pass --ca-file with the CA that signed the server's certificate, or --insecure"
		;;
	*) FETCH_ERROR=$(head -n 1 "$WORK/fetch.err" | sed 's/^curl: ([0-9]*) //') ;;
	esac
}

fetch_wget() {
	set -- "$1" "$2" "$3" "$4" --no-verbose --server-response --tries=1 --timeout=10 --max-redirect=0 \
		--content-on-error --output-document="$2"
	[ -n "$CA_FILE" ] && set -- "$@" --ca-certificate="$CA_FILE"
	[ "$INSECURE" = yes ] && set -- "$@" --no-check-certificate
	# Its own configuration file either way: nothing from /etc/wgetrc or ~/.wgetrc applies.
	if [ "$3" = yes ]; then
		set -- "$@" --config="$WORK/auth.wgetrc"
	else
		set -- "$@" --config="$WORK/plain.wgetrc"
	fi
	url=$1
	shift 4
	code=0
	wget "$@" "$url" 2>"$WORK/fetch.err" </dev/null || code=$?
	status=$(sed -n 's/^ *HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' "$WORK/fetch.err" | tail -n 1)
	if [ -n "$status" ]; then
		FETCH_STATUS=$status
		FETCH_LOCATION=$(sed -n 's/^ *[Ll]ocation: *//p' "$WORK/fetch.err" | tail -n 1 | tr -d '\r')
		return 0
	fi
	case $code in
	5) FETCH_ERROR="TLS failed: pass --ca-file with the CA that signed the server's certificate, or --insecure" ;;
	4)
		if grep -qi 'resolve' "$WORK/fetch.err"; then
			FETCH_ERROR="cannot resolve its host name"
		elif grep -qi 'timed out' "$WORK/fetch.err"; then
			FETCH_ERROR="no answer in time"
		else
			FETCH_ERROR="nothing answers at that address (connection refused or no route)"
		fi
		;;
	*) FETCH_ERROR=$(grep -v '^ ' "$WORK/fetch.err" | tail -n 1) ;;
	esac
}

# The "message" of a Pulse API error body (JSON), if the answer has one.
server_message() {
	[ -f "$1" ] && sed -n 's/.*"message" *: *"\([^"\\]*\)".*/\1/p' "$1" | head -n 1
}

# A string field of a small JSON answer (values with quotes or escapes are not needed here).
json_string() {
	[ -f "$2" ] && PULSE_FIELD=$1 awk '
		{ if (match($0, "\"" ENVIRON["PULSE_FIELD"] "\" *: *\"[^\"\\\\]*\"")) {
			value = substr($0, RSTART, RLENGTH); sub(/^[^:]*: *"/, "", value); print substr(value, 1, length(value) - 1); exit } }
	' "$2"
}

# A number field of a small JSON answer (empty for null or when absent).
json_number() {
	[ -f "$2" ] && PULSE_FIELD=$1 awk '
		{ if (match($0, "\"" ENVIRON["PULSE_FIELD"] "\" *: *[0-9]+")) {
			value = substr($0, RSTART, RLENGTH); sub(/^[^:]*: */, "", value); print value; exit } }
	' "$2"
}

check_token() {
	say "Checking the token with $SERVER ..."
	printf 'header = "Authorization: Bearer %s"\n' "$TOKEN" >"$WORK/auth.curl"
	printf 'header = Authorization: Bearer %s\n' "$TOKEN" >"$WORK/auth.wgetrc"
	fetch "$SERVER/api/$ROLE/whoami" "$WORK/whoami.json" yes 30
	case $FETCH_STATUS in
	200) ;;
	000) die "$E_UNREACHABLE" "cannot reach the Pulse server at $SERVER: $FETCH_ERROR" ;;
	301 | 302 | 303 | 307 | 308)
		die "$E_UNREACHABLE" "$SERVER redirects to ${FETCH_LOCATION:-another address}: give the address it redirects to as --server"
		;;
	401)
		die "$E_TOKEN" "the server at $SERVER refused the token (unknown, revoked or expired): create $ROLE_A token in the console's Tokens page and pass it with --token"
		;;
	403)
		die "$E_TOKEN" "the server at $SERVER says this is not $ROLE_A token: create one of type $ROLE in the console's Tokens page"
		;;
	404)
		die "$E_UNREACHABLE" "$SERVER has no /api/$ROLE/whoami: is --server the address of a LILLYDOO Pulse server (with its sub-path, if it has one)?"
		;;
	429)
		die "$E_TOKEN" "the server at $SERVER refuses token checks from this address after too many failures: wait a minute, then run the installer again with the right token"
		;;
	*)
		die "$E_UNREACHABLE" "the server at $SERVER answered $FETCH_STATUS to the token check${FETCH_STATUS:+: }$(server_message "$WORK/whoami.json")"
		;;
	esac
	role_whoami "$WORK/whoami.json"
}

sha256_of() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d ' ' -f 1
	else
		openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1
	fi
}

download() {
	name="$EXECUTABLE-linux-$ARCH"
	DOWNLOADED=
	fetch_download "$name.sha256"
	expected=$(sed -n '1s/^\([0-9a-f]\{64\}\)\([[:space:]].*\)\{0,1\}$/\1/p' "$WORK/$name.sha256")
	if [ -z "$expected" ]; then
		die "$E_DOWNLOAD" "$SERVER/downloads/$name.sha256 holds no SHA-256 checksum; nothing was installed"
	fi
	# The same build is installed already (a re-run to change settings): 100 MB not fetched again.
	if [ -f "$BIN" ] && [ "$(sha256_of "$BIN")" = "$expected" ]; then
		say "$BIN matches the server's $name (SHA-256), not downloaded again."
		return 0
	fi
	say "Downloading $name from $SERVER ..."
	fetch_download "$name"
	actual=$(sha256_of "$WORK/$name")
	if [ "$actual" != "$expected" ]; then
		die "$E_DOWNLOAD" "checksum mismatch for $name (expected $expected, got $actual): the download is damaged or does not match the server's .sha256; nothing was installed"
	fi
	DOWNLOADED="$WORK/$name"
}

fetch_download() {
	fetch "$SERVER/downloads/$1" "$WORK/$1" no 1800
	case $FETCH_STATUS in
	200) ;;
	000) die "$E_DOWNLOAD" "downloading $SERVER/downloads/$1 failed: $FETCH_ERROR" ;;
	404) die "$E_DOWNLOAD" "the server has no $1 for this host: $(server_message "$WORK/$1")" ;;
	*) die "$E_DOWNLOAD" "downloading $SERVER/downloads/$1 failed with HTTP $FETCH_STATUS $(server_message "$WORK/$1")" ;;
	esac
}

# The configuration to install: the existing file (kept as it is) with the values given set in it, or a
# new one. Written to $WORK/conf.
build_config() {
	if [ -f "$CONF" ]; then
		cp "$CONF" "$WORK/conf"
	else
		{
			say "# LILLYDOO Pulse $ROLE_TITLE, written by its installer. Every key: man $EXECUTABLE."
			say "# Running the installer again changes only the values given to it; your own lines stay."
		} >"$WORK/conf"
	fi
	# Given, or missing from the file (the installer then used the default or the option's value).
	if [ -n "$OPT_SERVER" ] || [ -z "$(toml_get_string server "$WORK/conf")" ]; then
		toml_set "$WORK/conf" server "$(toml_string "$SERVER")"
	fi
	if [ -n "$OPT_TOKEN" ] || [ -z "$(toml_get_string token "$WORK/conf")" ]; then
		toml_set "$WORK/conf" token "$(toml_string "$TOKEN")"
	fi
	[ -n "$OPT_CA_FILE" ] && toml_set "$WORK/conf" ca_file "$(toml_string "$CA_COPY")"
	[ "$OPT_INSECURE" = yes ] && toml_set "$WORK/conf" insecure_skip_verify true
	role_config "$WORK/conf"
}

# The unit of appliance/systemd/, as the server serves it, with the executable where this installer puts it.
unit_text() {
	cat <<'PULSE_UNIT_END'
@PULSE_UNIT@
PULSE_UNIT_END
}

make_dir() {
	if [ ! -d "$1" ]; then
		install -d -m "$2" -o root -g root "$1"
		CREATED_DIRS="$1 $CREATED_DIRS"
	fi
}

# Copies SOURCE to a hidden file next to TARGET (same file system, so the rename into place is atomic).
stage() {
	staged="$(dirname "$2")/.$(basename "$2").new"
	STAGED="$STAGED $staged"
	install -m "$3" -o root -g root "$1" "$staged"
}

commit() {
	staged="$(dirname "$1")/.$(basename "$1").new"
	if [ -f "$staged" ]; then
		mv -f "$staged" "$1"
	fi
}

install_files() {
	make_dir "$BIN_DIR" 0755
	make_dir "$CONF_DIR" 0755
	make_dir "$(dirname "$UNIT_FILE")" 0755
	unit_text | sed "s#/usr/bin/$EXECUTABLE#$BIN#g" >"$WORK/unit"
	build_config
	if [ -n "$DOWNLOADED" ]; then
		stage "$DOWNLOADED" "$BIN" 0755
	fi
	stage "$WORK/unit" "$UNIT_FILE" 0644
	if [ ! -f "$CONF" ] || ! cmp -s "$WORK/conf" "$CONF"; then
		stage "$WORK/conf" "$CONF" 0600
	fi
	if [ -n "$OPT_CA_FILE" ]; then
		stage "$OPT_CA_FILE" "$CA_COPY" 0644
	fi
	# Everything is in place beside its target: the renames cannot run out of space.
	commit "$BIN"
	commit "$UNIT_FILE"
	commit "$CONF"
	commit "$CA_COPY"
	STAGED=
	CREATED_DIRS=
	# The token stays root's, whoever wrote the file before.
	chown root:root "$CONF"
	chmod 0600 "$CONF"
}

start_service() {
	systemctl daemon-reload </dev/null
	systemctl enable --quiet "$UNIT" </dev/null
	systemctl restart "$UNIT" </dev/null ||
		die "$E_START" "systemctl restart $UNIT failed: journalctl -u $UNIT -n 50 shows why (the files are installed; --uninstall removes them)"
	# Type=simple: started means forked. Still running three seconds later means it read its
	# configuration and reached the server (a refused token or a bad file ends it within a second).
	checks=0
	while [ "$checks" -lt 3 ]; do
		sleep 1
		state=$(systemctl is-active "$UNIT" </dev/null 2>/dev/null) || true
		if [ "$state" != active ]; then
			die "$E_START" "$UNIT is ${state:-not running} after its start: journalctl -u $UNIT -n 50 shows why (the files are installed; --uninstall removes them)"
		fi
		checks=$((checks + 1))
	done
}

do_install() {
	require_systemd
	refuse_package
	detect_arch
	detect_tools
	resolve_settings
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/lillydoo-pulse-install.XXXXXX")
	: >"$WORK/plain.wgetrc"
	check_token
	download
	if [ -f "$BIN" ]; then
		verb=upgraded
	else
		verb=installed
	fi
	install_files
	start_service
	say "$EXECUTABLE $verb and running: systemctl status $UNIT, journalctl -u $UNIT."
	say "Configuration: $CONF. Run the installer again to upgrade; --uninstall removes it."
}

do_uninstall() {
	refuse_package
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 && [ -f "$UNIT_FILE" ]; then
		systemctl disable --now --quiet "$UNIT" </dev/null || true
	fi
	removed=no
	if [ -e "$UNIT_FILE" ] || [ -e "$BIN" ]; then
		removed=yes
	fi
	rm -f "$UNIT_FILE" "$BIN"
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
		systemctl daemon-reload </dev/null || true
		systemctl reset-failed "$UNIT" </dev/null 2>/dev/null || true
	fi
	if [ "$ACTION" = purge ]; then
		rm -f "$CONF" "$CA_COPY"
		rm -rf "/var/lib/$EXECUTABLE" "/var/lib/private/$EXECUTABLE"
		rmdir "$CONF_DIR" 2>/dev/null || true
		say "$EXECUTABLE removed with its configuration and data."
	elif [ "$removed" = yes ]; then
		say "$EXECUTABLE removed; $CONF and its data stay (--purge removes them too)."
	else
		say "$EXECUTABLE is not installed here; nothing to remove."
	fi
}

main() {
	umask 077
	parse_args "$@"
	if [ "$PULSE_SERVED" != yes ]; then
		die "$E_USAGE" "run the installer your Pulse server serves: curl -s SERVER/$ROLE/install.sh | sudo sh -s -- --token ..."
	fi
	require_root
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if [ "$ACTION" = install ]; then
		do_install
	else
		do_uninstall
	fi
}
