import { appendFileSync } from 'node:fs';

type Resolve = (specifier: string, context: unknown, next: (specifier: string, context: unknown) => Promise<{ url: string }>) => Promise<{ url: string }>;

export const resolve: Resolve = async (specifier, context, next) => {
	const result = await next(specifier, context);
	const file = process.env.NETSLEUTH_RECORD_IMPORTS;
	if (file) appendFileSync(file, `${result.url}\n`);
	return result;
};
