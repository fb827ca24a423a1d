#!/bin/sh
# LILLYDOO Pulse host agent installer, served by the Pulse server at /agent/install.sh:
#
#   curl -s https://PULSE/agent/install.sh | sudo sh -s -- --token sw_agent_...
#
# Checks the token with the server, downloads lillydoo-pulse-agent for this host's architecture and
# verifies its SHA-256, writes /etc/lillydoo-pulse/agent.conf (0600 root:root), installs the systemd unit
# of appliance/systemd/ and starts it. Safe to run again (upgrades in place); --uninstall, --purge.
# The shared part is installers/common.sh, which the server inlines below. POSIX sh (shellcheck-clean).
set -eu

ROLE=agent
ROLE_A="an agent"
ROLE_TITLE="host agent"
ROLE_VALUE_OPTIONS=""

role_usage() {
	:
}

role_option() {
	:
}

role_config() {
	:
}

# GET /api/agent/whoami answered {"id","hostname"}: a token that reports for another host already is
# refused by the server for this one, so say so now.
role_whoami() {
	bound_host=$(json_string hostname "$1")
	if [ -n "$(json_number id "$1")" ] && [ -n "$bound_host" ] && [ "$bound_host" != "$(uname -n)" ]; then
		say "Note: this token already reports for the host $bound_host; the server refuses it for another host (create one agent token per host)."
	fi
}

# shellcheck source=installers/common.sh
. ../common.sh

main "$@"
