/**
 * The prices of the open position's lines that the price scale keeps in view with the bars.
 * Entry, stop-loss and take-profit always; the liquidation price only while it is within one
 * bar range of the bars, because a liquidation a third away (3× leverage) would flatten the
 * candles into a line. The line itself stays drawn either way.
 */
export function autoscaledLinePrices(lines: ReadonlyArray<{ kind: string; price: number }>, minValue: number, maxValue: number): number[] {
  const span = maxValue - minValue;
  return lines.filter((line) => line.kind !== 'liquidation' || (line.price >= minValue - span && line.price <= maxValue + span)).map((line) => line.price);
}
