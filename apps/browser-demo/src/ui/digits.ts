/** Grey-level images on canvases: one digit, a grid of captioned digits, a confusion matrix. */

/** Draws side x side grey levels (0-255 bytes or floats in [0, 1]; 1 = white ink on black) on a canvas. */
export function drawGrey(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, side = 28, floats = false): void {
  canvas.width = side;
  canvas.height = side;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(side, side);
  for (let i = 0; i < side * side; i++) {
    const v = floats ? Math.round(Math.min(1, Math.max(0, pixels[i]!)) * 255) : pixels[i]!;
    img.data[i * 4] = img.data[i * 4 + 1] = img.data[i * 4 + 2] = v;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** A grid of small digit canvases with captions (e.g. "7→1"). */
export function digitGrid(el: HTMLElement, images: ArrayLike<number>[], captions: string[], opts: { floats?: boolean; side?: number; title?: (i: number) => string } = {}): void {
  el.replaceChildren(
    ...images.map((px, i) => {
      const fig = document.createElement('figure');
      const c = document.createElement('canvas');
      drawGrey(c, px, opts.side ?? 28, opts.floats ?? false);
      const cap = document.createElement('figcaption');
      cap.textContent = captions[i] ?? '';
      if (opts.title) fig.title = opts.title(i);
      fig.append(c, cap);
      return fig;
    }),
  );
}

/** A 10 x 10 confusion matrix as a table, cells shaded by their share of the row. */
export function confusionTable(el: HTMLElement, counts: ArrayLike<number>, classes = 10): void {
  const table = document.createElement('table');
  table.className = 'confusion';
  const head = table.createTHead().insertRow();
  head.insertCell().outerHTML = '<th title="rows: true digit, columns: predicted">true \\ pred</th>';
  for (let c = 0; c < classes; c++) head.insertCell().outerHTML = `<th>${c}</th>`;
  const body = table.createTBody();
  for (let r = 0; r < classes; r++) {
    const row = body.insertRow();
    row.insertCell().outerHTML = `<th>${r}</th>`;
    let total = 0;
    for (let c = 0; c < classes; c++) total += counts[r * classes + c]!;
    for (let c = 0; c < classes; c++) {
      const n = counts[r * classes + c]!;
      const cell = row.insertCell();
      cell.textContent = String(n);
      const share = total > 0 ? n / total : 0;
      cell.style.background = r === c ? `rgba(31, 119, 180, ${0.15 + 0.6 * share})` : n > 0 ? `rgba(214, 39, 40, ${Math.min(0.8, 0.12 + 4 * share)})` : '';
    }
  }
  el.replaceChildren(table);
}
