#!/usr/bin/env bash
# The chart lane: helm lint --strict and helm template of charts/widgets for the default values, the bundled-Citus
# example and an external database (ci/external-values.yaml), with the rendered manifests read back as typed
# Kubernetes objects and checked (charts/src/test). Helm comes from Maven Central as helm-java's native library, so
# this needs only the JDK, like ./mvnw verify; it is left out of ./mvnw verify because it downloads ~40 MB more,
# mostly that native Helm. docs/kubernetes.md, "The chart's tests", says what it checks.
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./mvnw -B -ntp -Pcharts -pl charts verify "$@"
