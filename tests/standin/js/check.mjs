// Drives the official JavaScript client, @huggingface/inference, against the stand-in.
// Run by tests/standin/test_js_client.py: `node check.mjs` with STANDIN_URL and HF_TOKEN set.
// The client hard-codes https://router.huggingface.co and https://huggingface.co (src/config.ts);
// its documented `fetch` option lets this script send those hosts to the stand-in instead.
// Prints one JSON line per case: {"name", "ok", "detail"}.
import { InferenceClient, PROVIDERS } from "@huggingface/inference";

if (process.argv.includes("--routes")) {
	// The URL each provider helper builds for chat and text generation with an HF token.
	for (const [provider, tasks] of Object.entries(PROVIDERS)) {
		for (const task of ["conversational", "text-generation"]) {
			const helper = tasks[task];
			if (!helper || helper.clientSideRoutingOnly || provider === "hf-inference") continue;
			const url = helper.makeUrl({ authMethod: "hf-token", model: "some/model", task });
			console.log(JSON.stringify({ provider, task, url }));
		}
	}
	process.exit(0);
}

const standIn = process.env.STANDIN_URL.replace(/\/+$/, "");
const token = process.env.HF_TOKEN;
const realHosts = ["https://router.huggingface.co", "https://huggingface.co"];
const calls = [];

async function toStandIn(input, init) {
	let url = typeof input === "string" ? input : input.url;
	for (const host of realHosts) {
		if (url.startsWith(host + "/")) {
			url = standIn + url.slice(host.length);
		}
	}
	if (!url.startsWith(standIn)) {
		throw new Error(`the test would have reached ${url}`);
	}
	calls.push(url.slice(standIn.length));
	return fetch(url, init);
}

const client = new InferenceClient(token, { fetch: toStandIn });
const messages = [{ role: "user", content: "Tell me about the harbour" }];

const cases = {
	"chatCompletion via groq (Hub mapping)": async () => {
		const out = await client.chatCompletion({
			provider: "groq",
			model: "openai/gpt-oss-120b",
			messages,
			max_tokens: 4,
		});
		return out.choices[0].message.content;
	},
	"chatCompletion via novita (Hub mapping)": async () => {
		const out = await client.chatCompletion({
			provider: "novita",
			model: "deepseek-ai/DeepSeek-V4-Pro",
			messages,
			max_tokens: 4,
		});
		return out.choices[0].message.content;
	},
	"chatCompletion auto router": async () => {
		const out = await client.chatCompletion({ model: "openai/gpt-oss-120b", messages, max_tokens: 4 });
		return out.choices[0].message.content;
	},
	"chatCompletionStream auto router": async () => {
		let text = "";
		for await (const chunk of client.chatCompletionStream({
			model: "openai/gpt-oss-120b",
			messages,
			max_tokens: 4,
		})) {
			text += chunk.choices?.[0]?.delta?.content ?? "";
		}
		return text;
	},
	"textGeneration hf-inference (OpenAI completions)": async () => {
		const out = await client.textGeneration({
			provider: "hf-inference",
			model: "openai-community/gpt2",
			inputs: "Once upon a time",
			parameters: { max_new_tokens: 5 },
		});
		return out.generated_text;
	},
	"textGeneration endpointUrl": async () => {
		const out = await client.endpoint(standIn + "/endpoints/gpt2").textGeneration({
			inputs: "Once upon a time",
			parameters: { max_new_tokens: 5 },
		});
		return out.generated_text;
	},
	"chatCompletion endpointUrl on gpt2 is refused": async () => {
		try {
			await client.endpoint(standIn + "/endpoints/gpt2").chatCompletion({ messages, max_tokens: 3 });
		} catch (error) {
			if (String(error.message).includes("template not found")) {
				return "refused: " + error.message;
			}
			throw error;
		}
		throw new Error("a chat answer from a model without a chat template");
	},
};

for (const [name, run] of Object.entries(cases)) {
	const before = calls.length;
	try {
		const detail = await run();
		const ok = typeof detail === "string" && detail.length > 0;
		console.log(JSON.stringify({ name, ok, detail, paths: calls.slice(before) }));
	} catch (error) {
		console.log(JSON.stringify({ name, ok: false, detail: String(error), paths: calls.slice(before) }));
	}
}
