// Where cases were found: inside quarantine or controlled areas, or by community screening.
// At the peak nearly all were found in quarantine (04-06: 12 + 19,027 of 19,982, DOMAIN.md);
// in early March, before the lockdown, community screening found a large share. Community
// cases then fall to zero: six districts were basically cleared by 1 May and all 16
// cleared by 17 May (three days without community cases).
import { daysBetween } from "../calendar.ts";

/** [date, share of the day's cases found in the community], linear in between. */
const communityShareCurve: readonly (readonly [string, number])[] = [
  ["2022-03-01", 0.5],
  ["2022-03-15", 0.4],
  ["2022-03-25", 0.22],
  ["2022-04-01", 0.1],
  ["2022-04-06", 0.047],
  ["2022-04-13", 0.045],
  ["2022-04-21", 0.035],
  ["2022-04-30", 0.02],
  ["2022-05-08", 0.01],
  ["2022-05-13", 0.003],
  ["2022-05-14", 0],
];

/**
 * The outer districts that cleared first: Jinshan, Qingpu, Fengxian and Songjiang are
 * named in the 2022-05-13 press conference; Chongming and Jiading complete the six.
 */
const earlyClearing = new Set(["Jinshan", "Qingpu", "Fengxian", "Songjiang", "Chongming", "Jiading"]);
const earlyClearingFrom = "2022-04-27";

export function communityShare(date: string, district: string): number {
  if (earlyClearing.has(district) && date >= earlyClearingFrom) return 0;
  const first = communityShareCurve[0] as readonly [string, number];
  if (date <= first[0]) return first[1];
  for (let i = 1; i < communityShareCurve.length; i++) {
    const [toDate, toShare] = communityShareCurve[i] as readonly [string, number];
    if (date <= toDate) {
      const [fromDate, fromShare] = communityShareCurve[i - 1] as readonly [string, number];
      const fraction = daysBetween(fromDate, date) / daysBetween(fromDate, toDate);
      return fromShare + (toShare - fromShare) * fraction;
    }
  }
  return 0;
}
