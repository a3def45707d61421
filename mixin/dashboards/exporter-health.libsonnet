local c = import '../lib/common.libsonnet';
local p = import '../lib/panels.libsonnet';

{
  grafanaDashboards+:: {
    local cfg = $._config,
    local js = c.js,
    local nameJoin = '* on (job, instance, target) group_left (name) akash_exporter:target_name:info',

    'akash-exporter-health.json': p.dashboard(
      cfg.dashboardUids.health,
      'akash_exporter health',
      'Sources, upstream requests, errors and process resources of akash_exporter itself.',
      cfg.dashboardTags,
      [
        p.row('Overview'),
        p.stat(
          'Scrape',
          [p.target('up{%s}' % js, '{{instance}}')],
          'none', 'Whether Prometheus reaches the exporter.', w=4, mappings=c.upMappings, colorMode='background',
        ),
        p.stat(
          'Version',
          [p.target('akash_exporter_build_info{%s}' % js, '{{version}} ({{revision}}, {{compiler}})')],
          'none', 'Build of the running exporter.', w=8,
        ) { options+: { textMode: 'name' } },
        p.stat(
          'Uptime',
          [p.target('time() - process_start_time_seconds{%s}' % js, '{{instance}}')],
          's', 'Time since the exporter process started.', w=4,
        ),
        p.stat(
          'Sources up',
          [p.target('sum by (job, instance) (akash_exporter_source_up{%s}) / count by (job, instance) (akash_exporter_source_up{%s})' % [js, js], '{{instance}}')],
          'percentunit', 'Share of (source, target) pairs whose last poll succeeded within max_staleness.', w=8,
          thresholds=[{ color: 'red', value: null }, { color: 'yellow', value: 0.5 }, { color: 'green', value: 1 }],
        ),
        p.stat(
          'Source state',
          [p.target('akash_exporter:source_up:named{%s}' % js, '{{source}} · {{name}}')],
          'none', 'Per source and polled address; names come from akash_provider_info.', w=24, h=5,
          mappings=c.upMappings, colorMode='background',
        ),

        p.row('Freshness and polling'),
        p.timeseries(
          'Age of the last success',
          [p.target('akash_exporter:source_age_seconds{%s}' % js, '{{source}} · {{name}}')],
          's', 'Time since each source last polled successfully.',
        ),
        p.timeseries(
          'Age ÷ poll interval',
          [p.target('akash_exporter:source_staleness:ratio{%s}' % js, '{{source}} · {{name}}')],
          'none', 'Age of the last success in units of the source\'s own poll interval (akash_exporter_source_interval_seconds). Up to 1 is on time for every source; at max_staleness ÷ interval (3 by default) the series are withdrawn.',
        ),
        p.timeseries(
          'Poll duration',
          [p.target('akash_exporter_source_poll_duration_seconds{%s} %s' % [js, nameJoin], '{{source}} · {{name}}')],
          's', 'Wall time of the last poll, retries included.',
        ),
        p.table(
          'Poll interval and max staleness',
          [
            p.target('akash_exporter_source_interval_seconds{%s} %s' % [js, nameJoin]),
            p.target('akash_exporter_source_max_staleness_seconds{%s} %s' % [js, nameJoin]),
          ],
          's', 'The configured interval and max_staleness of each source (Value #A: interval, Value #B: max_staleness).', w=12,
        ),

        p.row('Upstream requests and errors'),
        p.timeseries(
          'Upstream requests by code',
          [p.target('sum by (job, instance, source, code) (rate(akash_exporter_source_requests_total{%s}[$__rate_interval]))' % js, '{{source}} {{code}}')],
          'reqps', 'HTTP requests to the upstream APIs by status code ("error" when no answer arrived).', stack=true,
        ),
        p.timeseries(
          'Failed polls by reason',
          [p.target('sum by (job, instance, source, reason) (rate(akash_exporter_source_errors_total{%s}[$__rate_interval]))' % js, '{{source}} {{reason}}')],
          'ops', 'Failed polls per second by reason (auth: a key was rejected; rate_limited: 429).', stack=true,
        ),
        p.bargauge(
          'Failed polls in range',
          [p.target('sum by (job, instance, source, reason) (increase(akash_exporter_source_errors_total{%s}[$__range]))' % js, '{{source}} {{reason}}', instant=true)],
          'none', 'Failed polls over the selected range per source and reason.', w=8,
        ),
        p.bargauge(
          'Series dropped in range',
          [p.target('sum by (job, instance, source) (increase(akash_exporter_series_dropped_total{%s}[$__range]))' % js, '{{source}}', instant=true)],
          'none', 'Series a source left out because of a cardinality cap (max_lease_series).', w=8,
        ),
        p.bargauge(
          'Upstream decreases held in range',
          [p.target('sum by (job, instance, source) (increase(akash_exporter_upstream_decreases_total{%s}[$__range]))' % js, '{{source}}', instant=true)],
          'none', 'Times an upstream lifetime total came back lower than the exported counter, which kept its value.', w=8,
        ),

        p.row('Configuration and process'),
        p.stat(
          'Last reload',
          [p.target('akash_exporter_config_last_reload_successful{%s}' % js, '{{instance}}')],
          'none', 'Whether the last configuration reload succeeded (a refused config keeps the old one running).', w=4,
          mappings=[{ type: 'value', options: { '0': { text: 'FAILED', color: 'red', index: 0 }, '1': { text: 'OK', color: 'green', index: 1 } } }],
          colorMode='background',
        ),
        p.stat(
          'Config loaded',
          [p.target('akash_exporter_config_last_reload_success_timestamp_seconds{%s} * 1000' % js, '{{instance}}')],
          'dateTimeFromNow', 'When the running configuration was loaded.', w=4,
        ),
        p.timeseries(
          'CPU',
          [p.target('rate(process_cpu_seconds_total{%s}[$__rate_interval])' % js, '{{instance}}')],
          'percentunit', 'CPU time per second (1 = one core).', w=8,
        ),
        p.timeseries(
          'Resident memory',
          [p.target('process_resident_memory_bytes{%s}' % js, '{{instance}}')],
          'bytes', 'Resident set size of the exporter process.', w=8,
        ),
        p.timeseries(
          'Open file descriptors',
          [p.target('process_open_fds{%s}' % js, '{{instance}}')],
          'short', 'Sockets and files the exporter holds open.', w=8,
        ),
      ],
      c.variables(cfg, ''),
      cfg,
    ),
  },
}
