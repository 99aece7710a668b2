import * as z from "zod";
import { strictObject } from "../config/strict-object.js";
import { BudgetPeriod, BudgetWindow } from "./budget.js";

const PERIODS = Object.values(BudgetPeriod) as [BudgetPeriod, ...BudgetPeriod[]];
const WINDOWS = Object.values(BudgetWindow) as [BudgetWindow, ...BudgetWindow[]];

/** The schema of one budget in a team's configuration (`budgets: [...]`): {@link BudgetOptions}. */
export const budgetConfigSchema = strictObject(
  {
    /** Maximum spend in USD. */
    maxCost: z
      .number({ error: "maxCost must be a number of USD." })
      .nonnegative("maxCost must be >= 0."),
    /** Fraction of maxCost that raises a budget_alert (default 0.8). */
    alertThreshold: z
      .number()
      .gt(0, "alertThreshold must be in (0, 1].")
      .max(1, "alertThreshold must be in (0, 1].")
      .optional(),
    /** Stop calls that do not fit (default true) or only warn (false). */
    hardLimit: z.boolean().optional(),
    /** run (default), hour, day or month. */
    period: z
      .enum(PERIODS, {
        error: (issue) =>
          `Unknown period ${JSON.stringify(issue.input)}. Valid: ${PERIODS.join(", ")}.`,
      })
      .optional(),
    /** calendar (default, UTC) or rolling. */
    window: z
      .enum(WINDOWS, {
        error: (issue) =>
          `Unknown window ${JSON.stringify(issue.input)}. Valid: ${WINDOWS.join(", ")}.`,
      })
      .optional(),
    /** Who shares a period budget (default: the team id). */
    key: z.string().min(1).optional(),
  },
  "a budget",
);

/** A budget as written in configuration. */
export type BudgetConfig = z.input<typeof budgetConfigSchema>;
