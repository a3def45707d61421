// Selectors, joins and panels the three dashboards share.
local p = import 'panels.libsonnet';
{
  js:: 'job=~"$job", instance=~"$instance"',
  ps:: self.js + ', provider=~"$provider"',
  as:: self.js + ', account=~"$account"',

  // Adds the provider's display name. akash:provider_name:info has a series for every watched
  // provider (its address when provider_status has no name), so the join drops nothing. `expr`
  // must keep the labels job, instance and provider.
  named(expr):: |||
    (%s)
    * on (job, instance, provider) group_left (name) akash:provider_name:info
  ||| % expr,

  // Like `named`, for providers that may not be watched (a tenant's): unmatched series keep
  // their address as name.
  namedOrAddress(expr, by):: |||
    (%(e)s)
    * on (job, instance, provider) group_left (name) akash:provider_name:info
    or on (%(by)s)
    label_replace(%(e)s, "name", "$1", "provider", "(.*)")
  ||| % { e: expr, by: by },

  // 0 for every selected account when `expr` has nothing (e.g. no failed payment), with
  // `label`="none" so legends stay meaningful.
  orZeroPerAccount(expr, label=''):: |||
    %(e)s
    or on (job, instance, account)
    %(z)s
  ||| % {
    e: expr,
    z: if label == '' then 'sum by (job, instance, account) (akash:account:info{%s}) * 0' % $.as
    else 'label_replace(sum by (job, instance, account) (akash:account:info{%s}) * 0, "%s", "none", "", "")' % [$.as, label],
  },
  orZeroPerProvider(expr, label):: |||
    %(e)s
    or on (job, instance, provider)
    label_replace(sum by (job, instance, provider) (akash:provider_name:info{%(ps)s}) * 0, "%(l)s", "none", "", "")
  ||| % { e: expr, ps: $.ps, l: label },

  upMappings:: [
    { type: 'value', options: {
      '0': { text: 'DOWN', color: 'red', index: 0 },
      '1': { text: 'UP', color: 'green', index: 1 },
    } },
  ],

  variables(config, entity):: [
    p.datasourceVar,
    p.queryVar('job', 'Job', 'label_values(akash_exporter_build_info, job)'),
    p.queryVar('instance', 'Instance', 'label_values(akash_exporter_build_info{job=~"$job"}, instance)'),
  ] + (
    if entity == 'provider' then [
      // Shows names, selects addresses.
      p.queryVar('provider', 'Provider', 'query_result(akash:provider_name:info{%s})' % $.js,
                 regex='/name="(?<text>[^"]*)".*provider="(?<value>[^"]*)"/'),
    ] else if entity == 'account' then [
      p.queryVar('account', 'Account', 'label_values(akash:account:info{%s}, account)' % $.js),
    ] else []
  ),

  // Per-source state and freshness for the given sources; `targetVar` limits them to the selected
  // provider/account (sources without a target, like market, always show).
  freshnessPanels(sources, targetVar):: [
    p.stat(
      'Source state',
      [p.target('akash_exporter:source_up:named{%s, source=~"%s", target=~"${%s}|"}' % [$.js, std.join('|', sources), targetVar], '{{source}} · {{name}}')],
      'none',
      'UP while the source\'s last poll succeeded and its data is within max_staleness. A DOWN source keeps its last values on the panels until max_staleness, then they are withdrawn.',
      w=12, h=6, mappings=$.upMappings, colorMode='background',
    ),
    p.bargauge(
      'Data freshness (age of last success ÷ the source\'s poll interval)',
      [p.target('akash_exporter:source_staleness:ratio{%s, source=~"%s", target=~"${%s}|"}' % [$.js, std.join('|', sources), targetVar], '{{source}} · {{name}}', instant=true)],
      'none',
      'Measured against each source\'s own akash_exporter_source_interval_seconds, so an hourly source is not flagged for being an hour old. Up to 1 is on time; from 3 (the default max_staleness) the data is withdrawn.',
      w=12, h=6, min=0, max=4,
      thresholds=[{ color: 'green', value: null }, { color: 'yellow', value: 1.5 }, { color: 'red', value: 2.5 }],
    ),
  ],
}
