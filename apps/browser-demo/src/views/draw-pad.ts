/**
 * A canvas to draw a digit on with the mouse, a pen or a finger (pointer events), white ink on black
 * as MNIST's digits are. After each stroke segment (at most once per frame) the drawing is turned into
 * an MNIST-style 28x28 digit (lib/preprocess.ts) and handed to `onDigit`.
 */
import { inkFromRgba, toMnist } from '../lib/preprocess.js';
import { drawGrey } from '../ui/digits.js';

export const PAD_SIZE = 280;
export const BRUSH = 22;

export class DrawPad {
  private readonly ctx: CanvasRenderingContext2D;
  private drawing = false;
  private last: { x: number; y: number } | null = null;
  private queued = false;
  /** The last preprocessed digit (784 grey levels), or null when the pad is empty. */
  digit: Float32Array | null = null;

  constructor(readonly canvas: HTMLCanvasElement, private readonly preview: HTMLCanvasElement, private readonly onDigit: (digit: Float32Array | null) => void) {
    canvas.width = canvas.height = PAD_SIZE;
    this.ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    this.clear();
    canvas.style.touchAction = 'none'; // a finger draws instead of scrolling the page
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.drawing = true;
      this.last = this.at(e);
      this.segment(this.last, this.last);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.drawing) return;
      const p = this.at(e);
      this.segment(this.last!, p);
      this.last = p;
    });
    const end = () => {
      this.drawing = false;
      this.last = null;
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  clear(): void {
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, PAD_SIZE, PAD_SIZE);
    this.digit = null;
    drawGrey(this.preview, new Uint8Array(784));
    this.onDigit(null);
  }

  private at(e: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * PAD_SIZE) / r.width, y: ((e.clientY - r.top) * PAD_SIZE) / r.height };
  }

  private segment(a: { x: number; y: number }, b: { x: number; y: number }): void {
    const c = this.ctx;
    c.strokeStyle = '#fff';
    c.lineWidth = BRUSH;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.beginPath();
    c.moveTo(a.x, a.y);
    c.lineTo(b.x + 0.01, b.y);
    c.stroke();
    if (!this.queued) {
      this.queued = true;
      requestAnimationFrame(() => this.update());
    }
  }

  private update(): void {
    this.queued = false;
    const { data } = this.ctx.getImageData(0, 0, PAD_SIZE, PAD_SIZE);
    this.digit = toMnist(inkFromRgba(data, PAD_SIZE, PAD_SIZE), PAD_SIZE, PAD_SIZE);
    drawGrey(this.preview, this.digit ?? new Uint8Array(784), 28, this.digit !== null);
    this.onDigit(this.digit);
  }
}
