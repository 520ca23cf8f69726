#!/bin/sh
# The GitHub Action's installer (action.yml): picks, downloads, verifies and unpacks the
# released `registry` binary for the runner, in the release layout of scripts/release/package.py.
#
#   install.sh release-url   print the releases URL the action downloads from, and exit
#   install.sh pick          check the inputs, read SHA256SUMS, and write the step outputs
#                            archive, sha256, target, exe, cache (the archive's cache directory,
#                            keyed by its sha256)
#   install.sh install       take the archive from cache or download it, check its sha256
#                            against the pick's every time, unpack it into a new directory under
#                            RUNNER_TEMP, and write the step output dir
#
# What actions/cache restores is never trusted: it holds the archive, not an unpacked binary,
# and the archive is hashed again (against the SHA256SUMS this job downloaded) before anything
# is unpacked, so a cache entry planted by another workflow of the repository (caches are shared
# across its branches) is caught and replaced by a fresh download.
#
# Every value arrives through the environment (action.yml's `env:`), never pasted into code:
#   INPUT_VERSION       `latest`, `vX.Y.Z` or `X.Y.Z` (a semver pre-release suffix is allowed)
#   INPUT_RELEASE_URL   empty: https://github.com/<the action's repository>/releases
#   INPUT_POLICY, INPUT_CHECK    `true` or `false` (checked here, used by action.yml)
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_OUTPUT   (the runner's)
#   GITHUB_ACTION_REPOSITORY, GITHUB_ACTION_PATH   (where the action came from)
#   ARCHIVE, SHA256, TARGET, EXE, CACHE            (install: the pick's outputs)
# Downloads use https or file:// only, and plain http only for a loopback host (127.0.0.1,
# localhost, [::1]): a test's server, never a network anyone can sit on. A redirect may only
# go to https. POSIX sh, so the same file runs on Linux, macOS and Windows (Git Bash) runners.
set -eu

# A value as it may be shown in an error: control characters (a newline would start a new
# workflow command, `::...`, in the runner's log) become `?`.
shown() {
	printf '%s' "$1" | LC_ALL=C tr -c '[:print:]' '?'
}

fail() {
	printf 'error: %s\n' "$1" >&2
	if [ -n "${2:-}" ]; then printf 'hint: %s\n' "$2" >&2; fi
	exit 1
}

# The releases URL, without a trailing slash: the input, or the action's own repository's.
release_url() {
	url=${INPUT_RELEASE_URL:-}
	if [ -z "$url" ]; then
		repo=${GITHUB_ACTION_REPOSITORY:-}
		if [ -z "$repo" ]; then
			# Composite actions get an empty GITHUB_ACTION_REPOSITORY on some runners; the
			# runner unpacks a `uses: OWNER/REPO@REF` action to .../_actions/OWNER/REPO/REF.
			path=$(printf '%s' "${GITHUB_ACTION_PATH:-}" | tr '\134' '/')
			rest=${path##*/_actions/}
			if [ "$rest" != "$path" ]; then
				owner=${rest%%/*}
				rest=${rest#*/}
				name=${rest%%/*}
				if [ "$rest" != "$name" ]; then repo="$owner/$name"; fi
			fi
		fi
		if ! printf '%s' "$repo" | grep -Eqx '[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+'; then
			fail "cannot tell which repository this action comes from (GITHUB_ACTION_REPOSITORY '$(shown "$repo")', GITHUB_ACTION_PATH '$(shown "${GITHUB_ACTION_PATH:-}")')" \
				"set the input release-url, e.g. https://github.com/OWNER/REPO/releases"
		fi
		url="https://github.com/$repo/releases"
	fi
	# No spaces or control characters, and a scheme we download from (see the top).
	if ! printf '%s' "$url" | LC_ALL=C grep -Eqx '[][A-Za-z0-9._~:/?#@!$&()*+,;=%-]+' ||
		! printf '%s' "$url" | grep -Eqx '(https://|file://|http://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]+)?(/|$)).*'; then
		fail "input release-url '$(shown "$url")' is not an https:// or file:// URL (or http:// to 127.0.0.1 or localhost)" \
			"give the releases page of the repository, e.g. https://github.com/OWNER/REPO/releases"
	fi
	printf '%s' "${url%/}"
}

# The URL of the release's download directory for INPUT_VERSION.
download_base() {
	base=$(release_url) || exit 1
	version=${INPUT_VERSION:-latest}
	if [ "$version" = latest ]; then
		printf '%s/latest/download' "$base"
	elif printf '%s' "$version" | grep -Eqx 'v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?'; then
		printf '%s/download/v%s' "$base" "${version#v}"
	else
		fail "input version '$(shown "$version")' is not latest, vX.Y.Z or X.Y.Z" "e.g. version: v0.1.0"
	fi
}

# curl's protocol list for a URL: exactly its own scheme (release_url allowed it).
protocol() {
	case $1 in
	https://*) printf '=https' ;;
	file://*) printf '=file' ;;
	*) printf '=http' ;;
	esac
}

# download URL FILE: fails naming the URL (curl says why just above).
download() {
	if ! curl -fsSL --retry 3 --connect-timeout 30 --proto "$(protocol "$1")" --proto-redir '=https' \
		-o "$2" "$1"; then
		fail "cannot download $(shown "$1")" "check the inputs version and release-url, and that the release has this file"
	fi
}

# From stdin: GNU sha256sum escapes a name holding a backslash (a Windows runner's paths)
# with a leading `\` on the digest's line.
sha256_of() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum <"$1" | cut -d' ' -f1
	else
		shasum -a 256 <"$1" | cut -d' ' -f1 # macOS has no sha256sum
	fi
}

boolean() { # NAME VALUE
	case $2 in
	true | false) ;;
	*) fail "input $1 is '$(shown "$2")', not true or false" ;;
	esac
}

pick() {
	boolean policy "${INPUT_POLICY:-false}"
	boolean check "${INPUT_CHECK:-true}"
	base=$(download_base) || exit 1
	# The release's targets (scripts/release/package.py), by the runner's OS and architecture.
	case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
	Linux/X64) target=x86_64-unknown-linux-musl ;;
	Linux/ARM64) target=aarch64-unknown-linux-musl ;;
	macOS/X64) target=x86_64-apple-darwin ;;
	macOS/ARM64) target=aarch64-apple-darwin ;;
	Windows/X64) target=x86_64-pc-windows-msvc ;;
	*) fail "no registry release for RUNNER_OS '$(shown "${RUNNER_OS:-}")' and RUNNER_ARCH '$(shown "${RUNNER_ARCH:-}")'" \
		"releases ship Linux X64/ARM64, macOS X64/ARM64 and Windows X64; elsewhere use cargo install" ;;
	esac
	case $target in
	*windows*) archive="registry-$target.zip" exe=registry.exe ;;
	*) archive="registry-$target.tar.gz" exe=registry ;;
	esac
	cache=${RUNNER_TOOL_CACHE:?is not set: run this as a step of action.yml}
	case $cache in
	*[![:print:]]*) fail "RUNNER_TOOL_CACHE '$(shown "$cache")' holds a control character" ;;
	esac
	tmp=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/registry-pick.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	download "$base/SHA256SUMS" "$tmp/SHA256SUMS"
	# `sha256sum` lines: HEX, two spaces (or ` *` for binary mode), the file name.
	sha256=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")
	if ! printf '%s' "$sha256" | grep -Eqx '[0-9a-f]{64}'; then
		fail "$(shown "$base/SHA256SUMS") has no sha256 line for $archive" "is this a registry release?"
	fi
	printf 'Picked %s (sha256 %s) from %s\n' "$archive" "$sha256" "$(shown "$base")"
	{
		printf 'archive=%s\n' "$archive"
		printf 'sha256=%s\n' "$sha256"
		printf 'target=%s\n' "$target"
		printf 'exe=%s\n' "$exe"
		# Content-addressed: the same bytes have the same key, whatever `latest` meant.
		printf 'cache=%s\n' "$cache/git-model-registry/$sha256"
	} >>"$GITHUB_OUTPUT"
}

install() {
	archive=${ARCHIVE:?} want=${SHA256:?} target=${TARGET:?} exe=${EXE:?} cache=${CACHE:?}
	temp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
	# Everything happens in a new directory of the job's own temporary space; a failure or a
	# kill at any point removes it, and the cache gets only a verified archive, by one rename.
	stage=$(mktemp -d "$temp/registry-install.XXXXXX")
	trap 'rm -rf "$stage"' EXIT
	trap 'exit 1' HUP INT TERM
	got=
	if [ -f "$cache/$archive" ] && [ ! -L "$cache/$archive" ]; then
		cp "$cache/$archive" "$stage/$archive"
		got=$(sha256_of "$stage/$archive")
		if [ "$got" = "$want" ]; then
			printf 'Using the cached %s (sha256 %s, checked)\n' "$archive" "$got"
		else
			printf 'warning: the cached %s has sha256 %s, not %s: downloading it again\n' "$archive" "$got" "$want" >&2
			rm -f "$stage/$archive"
			got=
		fi
	fi
	if [ -z "$got" ]; then
		base=$(download_base) || exit 1
		url="$base/$archive"
		download "$url" "$stage/$archive"
		got=$(sha256_of "$stage/$archive")
		if [ "$got" != "$want" ]; then
			fail "$archive from $(shown "$url") has sha256 $got, but SHA256SUMS says $want" \
				"the release changed after this job picked it, or the download was tampered with: nothing was installed"
		fi
		# For actions/cache to save: the verified archive, put in place by one rename.
		mkdir -p "$cache"
		rm -f "$cache/$archive"
		cp "$stage/$archive" "$cache/.$archive.new"
		mv -f "$cache/.$archive.new" "$cache/$archive"
	fi
	# Relative names only: GNU tar reads escapes (`\t`) in the names it is given, and a Windows
	# runner's paths are full of backslashes. In a subshell: Windows cannot remove a cwd.
	(
		cd "$stage"
		mkdir unpacked
		case $archive in
		*.zip)
			# Git Bash on the Windows runners ships unzip; 7-Zip is the runner image's fallback.
			if command -v unzip >/dev/null 2>&1; then
				unzip -q "$archive" -d unpacked
			elif command -v 7z >/dev/null 2>&1; then
				7z x -y -bd -ounpacked "$archive" >/dev/null
			else
				fail "cannot unpack $archive: neither unzip nor 7z is on PATH"
			fi
			;;
		*) tar -xzf "$archive" -C unpacked ;;
		esac
	)
	new="$stage/unpacked/registry-$target"
	# A regular file, not a link to something else that chmod would then make executable.
	if [ ! -f "$new/$exe" ] || [ -L "$new/$exe" ]; then
		fail "$archive has no file registry-$target/$exe" "is this a registry release?"
	fi
	chmod +x "$new/$exe"
	dir="$stage/bin"
	mv "$new" "$dir"
	rm -f "$stage/$archive"
	rm -rf "$stage/unpacked"
	printf 'dir=%s\n' "$dir" >>"$GITHUB_OUTPUT"
	trap - EXIT
	printf 'Installed %s into %s\n' "$archive" "$dir"
}

case ${1:-} in
release-url) release_url && echo ;;
pick) pick ;;
install) install ;;
*) fail "usage: install.sh release-url|pick|install" ;;
esac
