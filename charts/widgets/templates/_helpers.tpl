{{/* Names. */}}
{{- define "widgets.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The prefix of every resource name: 63 characters at most, less room for the longest suffix. */}}
{{- define "widgets.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels: the common ones, then the selector of one component (api, migrations, rewiring, citus-coordinator...). */}}
{{- define "widgets.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: widgets
{{- end }}

{{- define "widgets.selectorLabels" -}}
app.kubernetes.io/name: {{ include "widgets.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* An image reference; a tag is required and "latest" is refused. */}}
{{- define "widgets.image" -}}
{{- $tag := default .root.Chart.AppVersion .image.tag | toString }}
{{- if eq $tag "latest" }}
{{- fail (printf "image %s: pin a tag, not \"latest\": every pod of a release must run the same build" .image.repository) }}
{{- end }}
{{- printf "%s:%s" .image.repository $tag }}
{{- end }}

{{/* The chart's own Secret (database password, admin token), and its hook copy for the hook Jobs. */}}
{{- define "widgets.secretName" -}}
{{- include "widgets.fullname" . }}
{{- end }}

{{- define "widgets.hookSecretName" -}}
{{- printf "%s-hook" (include "widgets.fullname" .) }}
{{- end }}

{{/* The bundled Citus coordinator's Service, and its workers' headless Service. */}}
{{- define "widgets.citusCoordinator" -}}
{{- printf "%s-citus" (include "widgets.fullname" .) }}
{{- end }}

{{- define "widgets.citusWorkers" -}}
{{- printf "%s-citus-worker" (include "widgets.fullname" .) }}
{{- end }}

{{/* Where the database password comes from: name and key of a Secret, or nothing (no password). */}}
{{- define "widgets.dbPasswordRef" -}}
{{- $hook := .hook }}
{{- with .root }}
{{- if .Values.database.existingSecret }}
{{- dict "name" .Values.database.existingSecret "key" .Values.database.existingSecretPasswordKey | toJson }}
{{- else if or .Values.database.password .Values.citus.enabled }}
{{- dict "name" (ternary (include "widgets.hookSecretName" .) (include "widgets.secretName" .) $hook) "key" "database-password" | toJson }}
{{- else }}
{{- dict | toJson }}
{{- end }}
{{- end }}
{{- end }}

{{/* Where the admin token comes from, or nothing. */}}
{{- define "widgets.adminTokenRef" -}}
{{- if .Values.security.existingSecret }}
{{- dict "name" .Values.security.existingSecret "key" .Values.security.existingSecretKey | toJson }}
{{- else if or .Values.security.adminToken .Values.security.generateAdminToken }}
{{- dict "name" (include "widgets.secretName" .) "key" "admin-token" | toJson }}
{{- else }}
{{- dict | toJson }}
{{- end }}
{{- end }}

{{/*
The database settings every pod of the service gets; hook pods read the hook copy of the Secret, and
the migrations Job ("migrations" true) connects as migrations.database.username when that is set.
*/}}
{{- define "widgets.databaseEnv" -}}
{{- $root := .root }}
- name: SPRING_DATASOURCE_URL
{{- if $root.Values.citus.enabled }}
  value: {{ printf "jdbc:postgresql://%s:5432/%s" (include "widgets.citusCoordinator" $root) $root.Values.citus.database | quote }}
{{- else }}
  value: {{ required "database.url is required (or citus.enabled=true)" $root.Values.database.url | quote }}
{{- end }}
{{- $migrationsRole := and .migrations $root.Values.migrations.database.username }}
- name: SPRING_DATASOURCE_USERNAME
{{- if $migrationsRole }}
  value: {{ $root.Values.migrations.database.username | quote }}
{{- else }}
  value: {{ ternary $root.Values.citus.username $root.Values.database.username $root.Values.citus.enabled | quote }}
{{- end }}
{{- $password := include "widgets.dbPasswordRef" . | fromJson }}
{{- if $migrationsRole }}
{{- $password = dict }}
{{- with $root.Values.migrations.database.existingSecret }}
{{- $password = dict "name" . "key" $root.Values.migrations.database.existingSecretPasswordKey }}
{{- end }}
{{- end }}
{{- if $password.name }}
- name: SPRING_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $password.name }}
      key: {{ $password.key }}
{{- end }}
{{- end }}

{{/* name: value pairs as EnvVar objects, in a stable order. */}}
{{- define "widgets.envMap" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/* Pods run as the images' non-root user, with nothing to escalate to. */}}
{{- define "widgets.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "widgets.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end }}

{{/* The shared /srv/widgets volume (uploads/ and inbox/) and the writable /tmp of a read-only root. */}}
{{- define "widgets.volumes" -}}
- name: data
{{- if not .Values.storage.enabled }}
  emptyDir: {}
{{- else }}
  persistentVolumeClaim:
    claimName: {{ .Values.storage.existingClaim | default (printf "%s-data" (include "widgets.fullname" .)) }}
{{- end }}
- name: tmp
  emptyDir: {}
{{- end }}

{{- define "widgets.volumeMounts" -}}
- name: data
  mountPath: /srv/widgets
- name: tmp
  mountPath: /tmp
{{- end }}
