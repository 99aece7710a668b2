/**
 * What the demo model knows: topics with a few facts each, the example tools, support requests
 * for triage, and the phrasings the example teams use. Edit here to teach it more.
 */

/** A subject the model can talk about, with short facts it learns by heart. */
export interface Topic {
  subject: string;
  questions: string[];
  facts: string[];
}

export const TOPICS: Topic[] = [
  {
    subject: "green tea",
    questions: ["How do I brew green tea?", "What is the best way to make green tea?"],
    facts: [
      "Heat the water to about 80 °C, not boiling.",
      "Use one teaspoon of leaves per cup.",
      "Steep the leaves for two to three minutes.",
      "Longer steeping makes the tea bitter.",
    ],
  },
  {
    subject: "TypeScript",
    questions: ["What are the benefits of TypeScript?", "Why should a team use TypeScript?"],
    facts: [
      "TypeScript adds static types to JavaScript.",
      "Type errors are caught before the code runs.",
      "Editors give better completion and safer refactoring.",
      "It compiles to plain JavaScript that runs anywhere.",
    ],
  },
  {
    subject: "unit testing",
    questions: ["Why is unit testing useful?", "What are the benefits of unit tests?"],
    facts: [
      "Unit tests check small parts of the code in isolation.",
      "They catch regressions early.",
      "They document how the code is meant to be used.",
      "Fast tests let developers change code with confidence.",
    ],
  },
  {
    subject: "solar panels",
    questions: ["How do solar panels work?", "Are solar panels worth it for a house?"],
    facts: [
      "Solar cells turn sunlight into electricity.",
      "An inverter converts the current for the home.",
      "Output depends on sun hours and panel angle.",
      "Panels usually last more than twenty years.",
    ],
  },
  {
    subject: "a trip to Lisbon",
    questions: ["How should I plan a trip to Lisbon?", "What should I see on a weekend in Lisbon?"],
    facts: [
      "Spring and autumn have mild weather.",
      "The old town of Alfama is best seen on foot.",
      "Tram 28 crosses the historic districts.",
      "Belém has the tower and the famous custard tarts.",
    ],
  },
  {
    subject: "remote work",
    questions: ["How can a team work well remotely?", "What are the challenges of remote work?"],
    facts: [
      "Clear written communication avoids confusion.",
      "Regular short meetings keep the team aligned.",
      "Shared documents replace hallway conversations.",
      "People need boundaries between work and home.",
    ],
  },
  {
    subject: "learning Python",
    questions: ["How do I start learning Python?", "What is a good way to learn Python?"],
    facts: [
      "Start with variables, loops and functions.",
      "Write small programs every day.",
      "Read other people's code to learn idioms.",
      "Build a small project you care about.",
    ],
  },
  {
    subject: "healthy sleep",
    questions: ["How can I sleep better?", "What helps with healthy sleep?"],
    facts: [
      "Go to bed at the same time every day.",
      "Avoid screens in the last hour before sleep.",
      "Keep the bedroom dark, quiet and cool.",
      "Limit coffee after midday.",
    ],
  },
  {
    subject: "electric cars",
    questions: ["What are the pros and cons of electric cars?", "Should I buy an electric car?"],
    facts: [
      "Electric cars have low running costs.",
      "Charging takes longer than filling a tank.",
      "Range depends on the battery and the weather.",
      "They produce no exhaust in the city.",
    ],
  },
  {
    subject: "climate change",
    questions: ["What causes climate change?", "How can we slow down climate change?"],
    facts: [
      "Burning fossil fuels releases carbon dioxide.",
      "Greenhouse gases trap heat in the atmosphere.",
      "Renewable energy reduces emissions.",
      "Forests absorb carbon from the air.",
    ],
  },
  {
    subject: "a job interview",
    questions: [
      "How do I prepare for a job interview?",
      "What should I do before a job interview?",
    ],
    facts: [
      "Research the company and the role.",
      "Prepare short stories about your past work.",
      "Practise answers to common questions out loud.",
      "Prepare two or three questions for the interviewer.",
    ],
  },
  {
    subject: "saving money",
    questions: ["How can I save money each month?", "What are simple ways to save money?"],
    facts: [
      "Track where your money goes for a month.",
      "Set a fixed amount aside on payday.",
      "Cancel subscriptions you do not use.",
      "Cook at home more often.",
    ],
  },
  {
    subject: "REST APIs",
    questions: ["What is a REST API?", "How do I design a good REST API?"],
    facts: [
      "A REST API exposes resources over HTTP.",
      "Use nouns for paths and HTTP verbs for actions.",
      "Return clear status codes and error messages.",
      "Version the API so clients do not break.",
    ],
  },
  {
    subject: "code review",
    questions: ["How do I do a good code review?", "Why do teams review code?"],
    facts: [
      "Reviews find bugs before they reach users.",
      "Keep changes small so they are easy to review.",
      "Comment on the code, not on the person.",
      "Reviews spread knowledge across the team.",
    ],
  },
  {
    subject: "the water cycle",
    questions: ["How does the water cycle work?", "What is the water cycle?"],
    facts: [
      "The sun evaporates water from seas and lakes.",
      "Vapour cools and forms clouds.",
      "Water falls back as rain or snow.",
      "Rivers carry it back to the sea.",
    ],
  },
  {
    subject: "photosynthesis",
    questions: ["What is photosynthesis?", "How do plants make food?"],
    facts: [
      "Plants use sunlight to make sugar.",
      "They take in carbon dioxide and water.",
      "Chlorophyll captures the light.",
      "Oxygen is released as a by-product.",
    ],
  },
  {
    subject: "a small vegetable garden",
    questions: ["How do I start a small vegetable garden?", "What vegetables are easy to grow?"],
    facts: [
      "Choose a spot with six hours of sun.",
      "Start with easy plants like lettuce and beans.",
      "Water deeply but not every day.",
      "Add compost to feed the soil.",
    ],
  },
  {
    subject: "Docker",
    questions: ["What is Docker used for?", "Why use Docker containers?"],
    facts: [
      "Docker packages an app with its dependencies.",
      "Containers run the same way on every machine.",
      "Images are built from a Dockerfile.",
      "Containers start much faster than virtual machines.",
    ],
  },
  {
    subject: "password security",
    questions: ["How do I keep my passwords safe?", "What makes a password strong?"],
    facts: [
      "Use a long passphrase for each account.",
      "Never reuse a password on two sites.",
      "A password manager remembers them for you.",
      "Turn on two-factor authentication.",
    ],
  },
  {
    subject: "running a first 5k",
    questions: ["How do I train for my first 5k run?", "How should a beginner start running?"],
    facts: [
      "Start with run and walk intervals.",
      "Run three times a week with rest days.",
      "Increase the distance slowly.",
      "Good shoes prevent many injuries.",
    ],
  },
  {
    subject: "public speaking",
    questions: ["How can I get better at public speaking?", "How do I give a good presentation?"],
    facts: [
      "Know your message in one sentence.",
      "Practise the talk out loud several times.",
      "Use few words on each slide.",
      "Pause and breathe instead of rushing.",
    ],
  },
  {
    subject: "machine learning",
    questions: ["What is machine learning?", "How does machine learning work?"],
    facts: [
      "Machine learning finds patterns in data.",
      "A model is trained on examples.",
      "It is tested on data it has not seen.",
      "More and better data usually helps.",
    ],
  },
  {
    subject: "large language models",
    questions: ["What is a large language model?", "How do language models generate text?"],
    facts: [
      "A language model predicts the next token.",
      "It is trained on large amounts of text.",
      "Bigger models know more but cost more to run.",
      "Answers should be checked because models can be wrong.",
    ],
  },
  {
    subject: "a birthday party",
    questions: ["How do I plan a birthday party?", "What do I need for a small birthday party?"],
    facts: [
      "Set a date and a budget first.",
      "Send invitations two weeks ahead.",
      "Plan simple food and drinks.",
      "Prepare one or two games or activities.",
    ],
  },
  {
    subject: "a healthy breakfast",
    questions: ["What is a healthy breakfast?", "What should I eat for breakfast?"],
    facts: [
      "Include protein such as eggs or yoghurt.",
      "Add fruit or vegetables.",
      "Choose whole grains over sugar.",
      "Drink water or unsweetened tea.",
    ],
  },
  {
    subject: "Git branches",
    questions: ["How do Git branches work?", "How should a team use Git branches?"],
    facts: [
      "A branch is a movable pointer to a commit.",
      "Work on a feature in its own branch.",
      "Merge the branch when the work is reviewed.",
      "Keep branches short-lived to avoid conflicts.",
    ],
  },
  {
    subject: "databases indexes",
    questions: ["What is a database index?", "When should I add an index to a table?"],
    facts: [
      "An index makes lookups on a column fast.",
      "It costs extra space and slower writes.",
      "Index the columns you filter and join on.",
      "Check the query plan to see if it is used.",
    ],
  },
  {
    subject: "time management",
    questions: ["How can I manage my time better?", "What are good time management tips?"],
    facts: [
      "Write down the three most important tasks.",
      "Do the hardest task first.",
      "Block time in the calendar for focused work.",
      "Say no to tasks that do not matter.",
    ],
  },
  {
    subject: "composting",
    questions: ["How do I compost at home?", "What can go into a compost bin?"],
    facts: [
      "Mix green waste with brown waste.",
      "Fruit and vegetable scraps are good green waste.",
      "Dry leaves and cardboard are brown waste.",
      "Turn the pile now and then to add air.",
    ],
  },
  {
    subject: "learning a language",
    questions: ["How do I learn a new language?", "What is the fastest way to learn Spanish?"],
    facts: [
      "Practise a little every day.",
      "Learn the most common words first.",
      "Speak with native speakers early.",
      "Listen to podcasts and watch films.",
    ],
  },
  {
    subject: "the moon",
    questions: ["Why does the moon have phases?", "How far away is the moon?"],
    facts: [
      "The moon is about 384,000 km from Earth.",
      "We see the sunlit part change as it orbits.",
      "One cycle of phases takes about 29.5 days.",
      "The same side always faces the Earth.",
    ],
  },
  {
    subject: "coffee",
    questions: [
      "How do I brew good coffee?",
      "How do I make good coffee at home?",
      "What is the best way to brew coffee?",
    ],
    facts: [
      "Use freshly ground beans.",
      "Use about 60 grams of coffee per litre of water.",
      "Water just off the boil works best.",
      "Clean the equipment often.",
    ],
  },
  {
    subject: "a customer support team",
    questions: [
      "How do I run a good customer support team?",
      "How can support answer customers faster?",
    ],
    facts: [
      "Sort incoming requests by category and urgency.",
      "Answer urgent requests first.",
      "Keep a shared base of answers to common questions.",
      "Measure response time and customer satisfaction.",
    ],
  },
  {
    subject: "agent teams",
    questions: ["What is a team of AI agents?", "Why split work between several AI agents?"],
    facts: [
      "Each agent has one role, such as planner or writer.",
      "Agents pass their results to the next agent.",
      "A reviewer agent checks the final answer.",
      "Budgets and retries keep the run under control.",
    ],
  },
  {
    subject: "cloud costs",
    questions: ["How can we reduce our cloud costs?", "Why is our cloud bill so high?"],
    facts: [
      "Turn off machines that are not used.",
      "Choose the right size for each server.",
      "Use reserved or spot capacity for steady loads.",
      "Tag resources so every cost has an owner.",
    ],
  },
  {
    subject: "a newsletter",
    questions: ["How do I start a newsletter?", "How can I grow a newsletter?"],
    facts: [
      "Pick one topic and one audience.",
      "Send it on a regular schedule.",
      "Keep each issue short and useful.",
      "Ask readers to share it with friends.",
    ],
  },
  {
    subject: "bread baking",
    questions: ["How do I bake bread at home?", "Why did my bread not rise?"],
    facts: [
      "Mix flour, water, salt and yeast.",
      "Knead the dough until it is smooth.",
      "Let it rise in a warm place.",
      "Bake in a hot oven until the crust is brown.",
    ],
  },
  {
    subject: "first aid for a burn",
    questions: ["What should I do for a small burn?", "How do I treat a minor burn?"],
    facts: [
      "Cool the burn under running water for twenty minutes.",
      "Remove rings and tight clothing nearby.",
      "Cover it loosely with clean film.",
      "See a doctor if the burn is large or deep.",
    ],
  },
  {
    subject: "houseplants",
    questions: ["How do I keep houseplants alive?", "How often should I water houseplants?"],
    facts: [
      "Most plants die from too much water.",
      "Water when the top of the soil is dry.",
      "Place them near a bright window.",
      "Use pots with drainage holes.",
    ],
  },
  {
    subject: "recycling",
    questions: ["Why is recycling important?", "How do I recycle correctly?"],
    facts: [
      "Recycling saves raw materials and energy.",
      "Rinse containers before recycling them.",
      "Check the local rules for plastics.",
      "Reuse and repair come before recycling.",
    ],
  },
  {
    subject: "a product launch",
    questions: ["How do I plan a product launch?", "What makes a product launch successful?"],
    facts: [
      "Know who the product is for.",
      "Prepare a short and clear message.",
      "Test the product with real users first.",
      "Pick a launch date and plan the follow-up.",
    ],
  },
  {
    subject: "meditation",
    questions: ["How do I start meditating?", "What are the benefits of meditation?"],
    facts: [
      "Start with five minutes a day.",
      "Sit comfortably and follow your breath.",
      "When the mind wanders, gently return to the breath.",
      "Regular practice can reduce stress.",
    ],
  },
  {
    subject: "writing a good email",
    questions: ["How do I write a good email?", "How can I make my emails clearer?"],
    facts: [
      "Put the main point in the first sentence.",
      "Use a clear subject line.",
      "Keep it short and specific.",
      "End with the action you need.",
    ],
  },
  {
    subject: "rate limits",
    questions: ["What is an API rate limit?", "How should a client handle rate limits?"],
    facts: [
      "A rate limit caps how many requests a client can send.",
      "The server answers with status 429 when it is reached.",
      "Clients should wait and retry with backoff.",
      "The Retry-After header says how long to wait.",
    ],
  },
  {
    subject: "caching",
    questions: ["What is caching?", "When should I use a cache?"],
    facts: [
      "A cache keeps results close to where they are needed.",
      "It makes repeated reads much faster.",
      "Stale data is the main risk.",
      "Set an expiry time for every entry.",
    ],
  },
  {
    subject: "volcanoes",
    questions: ["How do volcanoes form?", "Why do volcanoes erupt?"],
    facts: [
      "Volcanoes form where magma reaches the surface.",
      "Many lie at the edges of tectonic plates.",
      "Gas pressure pushes the magma up.",
      "Ash clouds can stop air traffic.",
    ],
  },
  {
    subject: "a book club",
    questions: ["How do I start a book club?", "How can a book club stay active?"],
    facts: [
      "Invite a small group of five to ten people.",
      "Meet once a month at a fixed time.",
      "Take turns choosing the book.",
      "Prepare a few questions for each meeting.",
    ],
  },
  {
    subject: "budget travel",
    questions: ["How can I travel on a small budget?", "What are tips for cheap travel?"],
    facts: [
      "Travel outside the busy season.",
      "Book transport early.",
      "Stay in hostels or shared flats.",
      "Eat where the locals eat.",
    ],
  },
  {
    subject: "open source",
    questions: ["What is open source software?", "How can I contribute to open source?"],
    facts: [
      "Open source code can be read and changed by anyone.",
      "Start with small fixes to documentation.",
      "Read the contributing guide first.",
      "Be patient and polite with maintainers.",
    ],
  },
  {
    subject: "why cats purr",
    questions: ["Why do cats purr?", "What does it mean when a cat purrs?"],
    facts: [
      "Cats purr by moving the muscles of the larynx.",
      "Purring often means a cat is relaxed and content.",
      "Cats also purr when they are stressed or in pain.",
      "The low vibration may help bones and tissue heal.",
    ],
  },
  {
    subject: "backups",
    questions: ["How should I back up my files?", "Why are backups important?"],
    facts: [
      "Keep three copies of important data.",
      "Store one copy in another place.",
      "Back up automatically on a schedule.",
      "Test that you can restore the files.",
    ],
  },
];

export const GENERIC_SUBJECTS = [
  "the history of the bicycle",
  "how vaccines work",
  "the benefits of walking",
  "how to clean a laptop keyboard",
  "how to write a cover letter",
  "the rules of chess",
  "how rainbows form",
  "how to make pancakes",
  "the pros and cons of social media",
  "how to choose a laptop",
  "what a CPU does",
  "how to learn to swim",
  "how to reduce food waste",
  "the causes of inflation",
  "how to organise a desk",
  "what an API is",
  "how to paint a room",
  "the life of bees",
  "how to keep a journal",
  "how wind turbines work",
  "how to negotiate a salary",
  "the basics of investing",
  "how to repair a bike tyre",
  "why exercise matters",
  "how to teach a child to read",
  "how the internet works",
  "how to make a budget",
  "what DNA is",
  "how to onboard a new developer",
  "how to plan a team meeting",
  "how to write release notes",
  "how to handle errors in an API",
  "how to measure website speed",
  "what a circuit breaker is in software",
];

/** Role names and the phrasings of their system prompts. */
export const ROLE_SYSTEM_PROMPTS: Record<string, string[]> = {
  planner: [
    "You are the planner.",
    "You are a planner.",
    "You are the planner. Break the task into a few short steps.",
    "You are a planner. Make short, clear plans.",
    "You plan how to answer questions. Keep plans short.",
  ],
  researcher: [
    "You are the researcher.",
    "You are a researcher.",
    "You are the researcher. Find the key facts and use tools when they help.",
    "You are a researcher. Collect short, accurate facts.",
    "You research questions and list the facts.",
  ],
  writer: [
    "You are the writer.",
    "You are a writer.",
    "You are the writer. Write short, clear answers.",
    "You are a writer. Follow the plan and keep it short.",
    "You write the final answer for the user.",
  ],
  reviewer: [
    "You are a careful editor.",
    "You are a careful editor.",
    "You are the reviewer.",
    "You are a reviewer.",
    "You are the reviewer. Check the answer and say if it is ready.",
    "You are a reviewer. Be brief and specific.",
    "You review answers before they are sent.",
  ],
  triage: [
    "You sort customer requests into billing, technical or general.",
    "You sort customer requests into billing, technical or general.",
    "You are the triage agent.",
    "You are a triage agent. Classify support requests.",
    "You classify customer requests by category and urgency.",
    "You are the triage agent. Answer with JSON only.",
  ],
  support: [
    "You are a friendly, precise support agent. Keep replies under 120 words.",
    "You are a friendly, precise support agent. Keep replies under 120 words.",
    "You are a support agent.",
    "You answer customer requests politely and briefly.",
  ],
  assistant: [
    "You are a helpful assistant.",
    "You are a helpful assistant. Answer briefly.",
    "You are an assistant that uses tools when they help.",
    "You solve arithmetic with the calculator tool, then answer in one sentence.",
  ],
};

/** Other wordings of the tool descriptions, so the model does not depend on one phrasing. */
export const TOOL_DESCRIPTION_VARIANTS = {
  calculator: ["Evaluate an arithmetic expression", "Calculate the value of a math expression"],
  current_time: ["Get the current time in a timezone", "Return the current date and time"],
  add: ["Add two numbers", "Add two integers", "Return the sum of a and b"],
} as const;

export type ToolName = keyof typeof TOOL_DESCRIPTION_VARIANTS;

/** City → IANA time zone. */
export const CITIES: [string, string][] = [
  ["Tokyo", "Asia/Tokyo"],
  ["London", "Europe/London"],
  ["New York", "America/New_York"],
  ["Paris", "Europe/Paris"],
  ["Berlin", "Europe/Berlin"],
  ["Sydney", "Australia/Sydney"],
  ["Moscow", "Europe/Moscow"],
  ["Los Angeles", "America/Los_Angeles"],
  ["Singapore", "Asia/Singapore"],
  ["Dubai", "Asia/Dubai"],
  ["Madrid", "Europe/Madrid"],
  ["Chicago", "America/Chicago"],
  ["Lisbon", "Europe/Lisbon"],
  ["Delhi", "Asia/Kolkata"],
  ["São Paulo", "America/Sao_Paulo"],
];

/** Support requests for triage, by category. `{n}` becomes a number. */
export const REQUESTS: Record<string, string[]> = {
  billing: [
    "My invoice is wrong",
    "There is a mistake on my invoice",
    "I was charged twice for my subscription",
    "Please send me the invoice for last month",
    "I want a refund for order {n}",
    "My card payment failed",
    "Why is my bill higher this month?",
    "I need to update my billing address",
    "You charged me after I cancelled",
    "Can I get a receipt for payment {n}?",
  ],
  technical: [
    "The app crashes when I open settings",
    "I get error 500 when I upload a file",
    "The export button does nothing",
    "Sync has stopped working on my phone",
    "The page is very slow to load",
    "The API returns a timeout for every request",
    "Notifications are not arriving",
    "The dashboard shows wrong numbers",
  ],
  account: [
    "I cannot log in to my account",
    "Please delete my account",
    "How do I change my email address?",
    "I forgot my password",
    "My account was locked",
    "I want to add a second user to my account",
    "Someone else may be using my account",
    "I cannot verify my phone number",
  ],
  sales: [
    "Do you offer discounts for teams?",
    "What plans do you have for schools?",
    "I want to upgrade to the business plan",
    "Can we get a quote for {n} seats?",
    "Do you have a free trial?",
    "We are interested in an enterprise contract",
  ],
  general: [
    "What are your opening hours?",
    "Where is your office?",
    "Do you have a newsletter?",
    "Thank you for the quick help",
    "I have a suggestion for a new feature",
    "Who should I contact about a partnership?",
  ],
};

export const URGENCY_MARKERS: Record<string, string[]> = {
  high: [
    "This is urgent!",
    "Please help immediately.",
    "Our production is down.",
    "I need this fixed today.",
    "URGENT:",
    "All our users are affected.",
  ],
  medium: ["", "Please have a look.", "Can you help?", "Thanks."],
  low: ["No rush.", "When you have time.", "Just wondering.", "It is not urgent."],
};
