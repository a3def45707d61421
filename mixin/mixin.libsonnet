// The akash_exporter monitoring mixin: prometheusRules, prometheusAlerts and grafanaDashboards,
// all built from the one _config in config.libsonnet.
(import 'config.libsonnet') +
(import 'rules.libsonnet') +
(import 'alerts.libsonnet') +
(import 'dashboards/dashboards.libsonnet')
