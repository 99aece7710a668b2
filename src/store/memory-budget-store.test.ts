import { describeBudgetStore } from "../../test/support/budget-store-contract.js";
import { MemoryBudgetStore } from "./index.js";

describeBudgetStore("MemoryBudgetStore", () => new MemoryBudgetStore());
