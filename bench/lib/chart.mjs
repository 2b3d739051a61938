// A hand-written SVG bar chart: each ratio of Tessera to its reference, with its target drawn as
// a dashed line across the bar; green when met, red when not, grey in a smoke run or without one.
const escape = (s) =>
  String(s).replace(
    /[<>&"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c],
  );

export function ratioChart(rows, meta) {
  const left = 250;
  const barArea = 440;
  const rowHeight = 44;
  const top = 64;
  const width = left + barArea + 70;
  const height = top + rows.length * rowHeight + 40;
  const targets = rows.map((r) => Number(r.target.replace(/[^\d.]/g, '')) || 0);
  const max = Math.max(1, ...rows.map((r) => r.ratioValue), ...targets) * 1.1;
  const x = (v) => left + (Math.max(0, v) / max) * barArea;
  const colour = (r) => (meta.smoke || r.met === null ? '#9e9e9e' : r.met ? '#2e7d32' : '#c62828');
  const bars = rows.map((r, i) => {
    const y = top + i * rowHeight;
    const t = targets[i];
    return [
      `<text x="${left - 10}" y="${y + 17}" text-anchor="end">${escape(r.scenario)}</text>`,
      `<text x="${left - 10}" y="${y + 33}" text-anchor="end" class="small">${escape(r.figure)} ÷ ${escape(r.reference.replace(/^[\d\s.]+\(|\)$/g, ''))}</text>`,
      `<rect x="${left}" y="${y + 6}" width="${(x(r.ratioValue) - left).toFixed(1)}" height="26" fill="${colour(r)}"/>`,
      // The value sits inside the bar's end (clear of the target line), outside a very short bar.
      x(r.ratioValue) - left > 52
        ? `<text x="${(x(r.ratioValue) - 6).toFixed(1)}" y="${y + 24}" text-anchor="end" fill="#fff" font-weight="bold">${escape(r.ratio)}</text>`
        : `<text x="${(x(r.ratioValue) + 6).toFixed(1)}" y="${y + 24}">${escape(r.ratio)}</text>`,
      t > 0
        ? `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${y + 2}" y2="${y + 36}" stroke="#000" stroke-dasharray="4 3"/>` +
          `<text x="${(x(t) + 3).toFixed(1)}" y="${y + 42}" class="small">target ${escape(r.target)}</text>`
        : '',
    ].join('\n  ');
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2].filter((v) => v <= max);
  const axis = ticks.map(
    (v) =>
      `<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${top}" y2="${height - 36}" stroke="#ddd"/>` +
      `<text x="${x(v).toFixed(1)}" y="${height - 22}" text-anchor="middle" class="small">${v}×</text>`,
  );
  const title = `Tessera ÷ its reference, same run, ${meta.date}${meta.smoke ? ' (smoke, no goals)' : ''}`;
  const rounds = `${meta.settings.rounds} round${meta.settings.rounds === 1 ? '' : 's'}`;
  const subtitle = `median of ${rounds}; load average ${meta.loadBefore} before the run; dashed line = target`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">
  <style>.small { font-size: 11px; fill: #555; }</style>
  <rect width="100%" height="100%" fill="#fff"/>
  <text x="16" y="24" font-size="16" font-weight="bold">${escape(title)}</text>
  <text x="16" y="44" class="small">${escape(subtitle)}</text>
  ${axis.join('\n  ')}
  ${bars.join('\n  ')}
</svg>
`;
}
