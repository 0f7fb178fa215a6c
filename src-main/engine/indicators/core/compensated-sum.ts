/**
 * Neumaier-compensated running sum. Windows add values as they enter and subtract them as they
 * leave for as long as the engine runs; a plain float accumulator would drift with the number of
 * updates, this one stays within a few ulps of the exact sum of what is currently inside.
 */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(value: number): void {
    const total = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) {
      this.compensation += this.sum - total + value;
    } else {
      this.compensation += value - total + this.sum;
    }
    this.sum = total;
  }

  value(): number {
    return this.sum + this.compensation;
  }

  /** Back to an exact zero; windows call this whenever they become empty, which discards any residue. */
  reset(): void {
    this.sum = 0;
    this.compensation = 0;
  }
}
