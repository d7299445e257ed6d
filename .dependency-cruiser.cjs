// The layers of src/ (docs/architecture.md): a module imports from its own folder or from a
// folder below it, never upwards, so no two folders depend on each other.
//   cli → run → report → channels → mail, stats → directory → settings → core
const layers = ['core', 'settings', 'directory', 'mail|stats', 'channels', 'report', 'run', 'cli'];
const folder = (names) => `^src/(${names})(/|\\.ts$)`;

const forbidden = layers.slice(0, -1).map((layer, i) => ({
  name: `${layer.replace('|', '-')}-imports-upwards`,
  comment: `src/${layer} may only import from ${layers.slice(0, i).join(', ') || 'itself'}`,
  severity: 'error',
  from: { path: folder(layer) },
  to: { path: folder(layers.slice(i + 1).join('|')) },
}));
forbidden.push(
  {
    name: 'mail-and-stats-apart',
    comment: 'mail and stats are side by side: neither imports the other',
    severity: 'error',
    from: { path: '^src/mail/' },
    to: { path: '^src/stats/' },
  },
  {
    name: 'stats-and-mail-apart',
    severity: 'error',
    from: { path: '^src/stats/' },
    to: { path: '^src/mail/' },
  },
  { name: 'no-circular', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
);

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
