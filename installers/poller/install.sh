#!/bin/sh
# LILLYDOO Pulse network poller installer, served by the Pulse server at /poller/install.sh:
#
#   curl -s https://PULSE/poller/install.sh | sudo sh -s -- --token sw_poller_... --name NAME --location PLACE
#
# Checks the token with the server, downloads lillydoo-pulse-poller for this host's architecture and
# verifies its SHA-256, writes /etc/lillydoo-pulse/poller.conf (0600 root:root), installs the systemd unit
# of appliance/systemd/ and starts it. Safe to run again (upgrades in place); --uninstall, --purge.
# The shared part is installers/common.sh, which the server inlines below. POSIX sh (shellcheck-clean).
set -eu

ROLE=poller
ROLE_A="a poller"
ROLE_TITLE="network poller"
ROLE_VALUE_OPTIONS="--name --location"
OPT_NAME=
OPT_LOCATION=

role_usage() {
	cat <<'USAGE'
  --name NAME       how the poller is shown in the console (default: this host's name)
  --location PLACE  where it is, for people: "Frankfurt DC2"
USAGE
}

# role_option OPTION VALUE: the poller's own options.
role_option() {
	if has_control_characters "$2"; then
		die "$E_USAGE" "$1 must be plain text without control characters"
	fi
	case $1 in
	--name) OPT_NAME=$2 ;;
	--location) OPT_LOCATION=$2 ;;
	esac
}

role_config() {
	if [ -n "$OPT_NAME" ]; then
		toml_set "$1" name "$(toml_string "$OPT_NAME")"
	fi
	if [ -n "$OPT_LOCATION" ]; then
		toml_set "$1" location "$(toml_string "$OPT_LOCATION")"
	fi
}

# GET /api/poller/whoami answered {"id","name"}: a token registered already belongs to that poller,
# and the server refuses it under another name.
role_whoami() {
	bound_name=$(json_string name "$1")
	if [ -z "$(json_number id "$1")" ] || [ -z "$bound_name" ]; then
		return 0
	fi
	if [ -n "$OPT_NAME" ] && [ "$OPT_NAME" != "$bound_name" ]; then
		die "$E_TOKEN" "this token belongs to the poller \"$bound_name\": pass --name \"$bound_name\", or create a new poller token for \"$OPT_NAME\""
	fi
	if [ -z "$OPT_NAME" ] && [ -z "$(toml_get name "$CONF")" ]; then
		OPT_NAME=$bound_name
		say "This token belongs to the poller \"$bound_name\": installing it under that name."
	fi
}

# shellcheck source=installers/common.sh
. ../common.sh

main "$@"
