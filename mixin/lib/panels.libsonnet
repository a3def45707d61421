// Plain-jsonnet helpers for Grafana dashboards (schemaVersion 39), so the mixin needs nothing but
// the jsonnet binary. Panels are placed by `layout`, which flows them left to right in rows of 24.
{
  datasource:: { type: 'prometheus', uid: '${datasource}' },

  target(expr, legend='', instant=false, interval='', format='time_series'):: {
    datasource: $.datasource,
    expr: expr,
    legendFormat: legend,
    range: !instant,
    instant: instant,
    format: format,
    [if interval != '' then 'interval']: interval,
  },

  // Which source publishes the metrics a query reads (by name fragment, most specific first), so
  // that an empty panel can name the source to check.
  local sourceOf = [
    ['akash_exporter', 'self'],
    ['process_', 'self'],
    ['up{', 'self'],
    ['akash_tenant_spent', 'tenant_usage'],
    ['tenant:spent', 'tenant_usage'],
    ['akash_tenant_active_leases', 'tenant_usage'],
    ['akash_tenant', 'tenant_billing'],
    ['net_earnings_', 'provider_earnings'],
    ['earnings_window_end', 'provider_earnings'],
    ['earnings_usd{', 'provider_earnings'],
    ['earnings_akt{', 'provider_earnings'],
    ['earnings_act{', 'provider_earnings'],
    ['projected_month', 'provider_earnings'],
    ['chain_leases', 'chain_leases'],
    ['escrow_', 'chain_leases'],
    ['lease_gpus', 'chain_leases'],
    ['gpu_seconds', 'chain_leases'],
    ['per_hour', 'chain_leases'],
    ['capacity', 'provider_status'],
    ['akt_price', 'market'],
    ['take_rate', 'market'],
    ['akash_provider', 'provider_dashboard'],
  ],
  local sourcesOf(targets) =
    local exprs = std.join('\n', [t.expr for t in targets]);
    // std.strReplace is native; std.findSubstr is far too slow for this.
    local hits = [m[1] for m in sourceOf if std.strReplace(exprs, m[0], '') != exprs];
    std.set(if std.length(hits) > 0 then [hits[0]] else []),

  local base(type, title, description, unit, targets, w, h) = {
    type: type,
    title: title,
    description: description,
    datasource: $.datasource,
    targets: [t { refId: std.char(65 + i) } for i in std.range(0, std.length(targets) - 1) for t in [targets[i]]],
    fieldConfig: {
      defaults: {
        unit: unit,
        // A source that is down keeps its series until max_staleness, then they are withdrawn:
        // name the source instead of Grafana's bare "No data".
        noValue: local src = sourcesOf(targets);
          if src == ['self'] then 'No data: akash_exporter is not scraped'
          else if std.length(src) > 0 then 'No data: source %s down or stale, see Source state' % src[0]
          else 'No data: source down or stale, see Source state',
      },
      overrides: [],
    },
    gridPos: { w: w, h: h },
  },

  stat(title, targets, unit, description='', w=4, h=4, decimals=null, mappings=[], thresholds=null, colorMode='value')::
    base('stat', title, description, unit, targets, w, h) {
      fieldConfig+: { defaults+: {
        [if decimals != null then 'decimals']: decimals,
        mappings: mappings,
        [if thresholds != null then 'thresholds']: { mode: 'absolute', steps: thresholds },
      } },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: colorMode,
        graphMode: 'none',
        textMode: 'value_and_name',
        justifyMode: 'auto',
        orientation: 'auto',
      },
    },

  timeseries(title, targets, unit, description='', w=12, h=8, stack=false, bars=false, decimals=null)::
    base('timeseries', title, description, unit, targets, w, h) {
      fieldConfig+: { defaults+: {
        [if decimals != null then 'decimals']: decimals,
        custom: {
          drawStyle: if bars then 'bars' else 'line',
          fillOpacity: if bars || stack then 70 else 10,
          lineWidth: 1,
          showPoints: 'never',
          spanNulls: false,
          stacking: { mode: if stack then 'normal' else 'none', group: 'A' },
        },
      } },
      options: {
        legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'], showLegend: true },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },

  bargauge(title, targets, unit, description='', w=12, h=8, min=null, max=null, thresholds=null)::
    base('bargauge', title, description, unit, targets, w, h) {
      fieldConfig+: { defaults+: {
        [if min != null then 'min']: min,
        [if max != null then 'max']: max,
        [if thresholds != null then 'thresholds']: { mode: 'absolute', steps: thresholds },
      } },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        displayMode: 'gradient',
        orientation: 'horizontal',
        showUnfilled: true,
      },
    },

  // Instant queries shown as one table; `columns` overrides units per value column
  // ({ 'Value #A': 'currencyUSD' }).
  table(title, targets, unit, description='', w=24, h=8, columns={})::
    base('table', title, description, unit, [t { instant: true, range: false, format: 'table' } for t in targets], w, h) {
      fieldConfig+: {
        overrides: [
          { matcher: { id: 'byName', options: k }, properties: [{ id: 'unit', value: columns[k] }] }
          for k in std.objectFields(columns)
        ],
      },
      options: { showHeader: true, cellHeight: 'sm' },
      transformations: [
        { id: 'merge', options: {} },
        { id: 'organize', options: { excludeByName: { Time: true } } },
      ],
    },

  row(title):: { type: 'row', title: title, collapsed: false, panels: [], gridPos: { w: 24, h: 1 } },

  // Assigns ids and x/y: panels flow left to right, wrapping at width 24; a row starts a new line.
  layout(panels)::
    local step(acc, p) =
      local isRow = p.type == 'row';
      local wrap = isRow || acc.x + p.gridPos.w > 24;
      local x = if wrap then 0 else acc.x;
      local y = if wrap then acc.y + acc.rowH else acc.y;
      local placed = p { id: acc.id, gridPos+: { x: x, y: y } };
      {
        id: acc.id + 1,
        x: x + p.gridPos.w,
        y: y,
        rowH: if wrap then p.gridPos.h else std.max(acc.rowH, p.gridPos.h),
        out: acc.out + [placed],
      };
    std.foldl(step, panels, { id: 1, x: 0, y: 0, rowH: 0, out: [] }).out,

  // Template variables.
  datasourceVar:: {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    current: {},
    hide: 0,
    refresh: 1,
    regex: '',
  },
  queryVar(name, label, query, regex='', includeAll=true, multi=true):: {
    name: name,
    label: label,
    type: 'query',
    datasource: $.datasource,
    query: { query: query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    definition: query,
    regex: regex,
    refresh: 2,
    sort: 1,
    includeAll: includeAll,
    multi: multi,
    allValue: '.+',
    current: {},
    hide: 0,
  },

  dashboard(uid, title, description, tags, panels, variables, config):: {
    uid: uid,
    title: title,
    description: description,
    tags: tags,
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    timezone: config.dashboardTimezone,
    refresh: config.dashboardRefresh,
    time: { from: config.dashboardFrom, to: 'now' },
    timepicker: {},
    annotations: { list: [] },
    links: [
      { type: 'dashboards', tags: ['akash'], asDropdown: true, title: 'Akash dashboards', includeVars: true, keepTime: true },
    ],
    templating: { list: variables },
    panels: $.layout(panels),
  },
}
