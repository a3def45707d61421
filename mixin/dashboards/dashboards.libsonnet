(import 'provider-revenue.libsonnet') +
(import 'billing-usage.libsonnet') +
(import 'exporter-health.libsonnet')
