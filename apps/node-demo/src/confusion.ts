/** Confusion matrix of class predictions, and its text rendering. */
export function confusionMatrix(predicted: ArrayLike<number>, actual: ArrayLike<number>, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < predicted.length; i++) m[actual[i]!]![predicted[i]!]!++;
  return m;
}

export function formatConfusion(m: number[][]): string {
  const w = Math.max(4, ...m.flat().map((v) => String(v).length + 1));
  const head = 'true\\pred'.padEnd(10) + m.map((_, j) => String(j).padStart(w)).join('') + '   recall';
  const rows = m.map((row, i) => {
    const total = row.reduce((s, v) => s + v, 0);
    const recall = total > 0 ? ((100 * row[i]!) / total).toFixed(1) + '%' : '-';
    return String(i).padEnd(10) + row.map((v) => String(v).padStart(w)).join('') + recall.padStart(9);
  });
  return [head, ...rows].join('\n');
}
