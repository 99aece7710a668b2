import { describeBudgetStore } from "./budget-store-contract.js";
import { MemoryBudgetStore } from "./index.js";

describeBudgetStore("MemoryBudgetStore", () => new MemoryBudgetStore());
