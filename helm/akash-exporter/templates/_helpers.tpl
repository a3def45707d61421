{{- define "akash-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "akash-exporter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "akash-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "akash-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "akash-exporter.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "akash-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The Secret holding API keys: the user's, or the chart's when keys are given in values. */}}
{{- define "akash-exporter.keysSecret" -}}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else if .Values.keys }}
{{- printf "%s-keys" (include "akash-exporter.fullname" .) }}
{{- end }}
{{- end }}

{{/* "true" when the web config turns TLS on: probes and the ServiceMonitor then speak HTTPS. */}}
{{- define "akash-exporter.tls" -}}
{{- if and .Values.web.config (hasKey .Values.web.config "tls_server_config") }}true{{ end }}
{{- end }}

{{- define "akash-exporter.scheme" -}}
{{- if include "akash-exporter.tls" . }}HTTPS{{ else }}HTTP{{ end }}
{{- end }}
