// The progress line on stderr: what runs now, and how long the whole run has left.
// On a terminal one line is rewritten every second; elsewhere each step prints one line.

const TICK_MS = 1000;

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export class Progress {
  private readonly startedAt = Date.now();
  private doneSeconds = 0;
  private ticker: NodeJS.Timeout | undefined;
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly plannedSeconds: number) {}

  /** A load step of `seconds` begins. */
  begin(label: string, seconds: number): void {
    const stepStart = Date.now();
    const render = (): void => {
      const inStep = (Date.now() - stepStart) / 1000;
      const left = this.plannedSeconds - this.doneSeconds - Math.min(inStep, seconds);
      const line = `[${clock((Date.now() - this.startedAt) / 1000)} elapsed, ~${clock(left)} left] ${label} ${clock(inStep)}/${clock(seconds)}`;
      process.stderr.write(this.tty ? `\r\x1b[K${line}` : `${line}\n`);
    };
    render();
    if (this.tty) this.ticker = setInterval(render, TICK_MS);
  }

  /** The step begun last has ended after `seconds` of planned time. */
  end(seconds: number): void {
    clearInterval(this.ticker);
    this.doneSeconds += seconds;
  }

  finish(): void {
    clearInterval(this.ticker);
    if (this.tty) process.stderr.write('\r\x1b[K');
  }
}
