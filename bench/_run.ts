import { benchScale } from "./scale.js";
import { formatRows } from "./harness.js";
console.log(formatRows(await benchScale()));
