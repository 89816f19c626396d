/* stream.h - an LLM response streamed to a client through one of three
 * serverless front doors (`type: llm_stream`, stream.c): a Lambda function
 * URL with response streaming, an API Gateway WebSocket API, or AppSync
 * subscriptions fed through a queue (seed post "Serverless strategies for
 * streaming LLM responses").
 *
 * A tenant's message is one conversation request; the resource invokes its
 * Lambda function for the generation (lambda_invoke_work) and records the
 * time to first byte and to last token as the client sees them. It takes
 * no calls from other models, so it exports nothing but its ops table
 * (llm_stream_ops, declared in registry.h).
 */
#ifndef SPILLWAY_MODELS_STREAM_H
#define SPILLWAY_MODELS_STREAM_H

#include "sim/model.h"

extern const struct model_ops llm_stream_ops;

#endif
