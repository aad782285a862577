-- Issue #14 item 8: a merge now moves the merged customer's channel identities (openid …) and channel messages to the
-- surviving customer. Customers merged before this migration still hold theirs: move them to the end of their merge
-- chain (A merged into B, B later into C → C), so the next WeChat message lands on the surviving customer.
WITH RECURSIVE chain(id, survivor) AS (
	SELECT id, merged_into_id FROM customers WHERE merged_into_id IS NOT NULL
	UNION ALL
	SELECT chain.id, c.merged_into_id FROM chain JOIN customers c ON c.id = chain.survivor WHERE c.merged_into_id IS NOT NULL
), final AS (
	SELECT chain.id, chain.survivor FROM chain JOIN customers c ON c.id = chain.survivor WHERE c.merged_into_id IS NULL
)
UPDATE customer_identities i SET customer_id = final.survivor FROM final
WHERE i.customer_id = final.id
	AND NOT EXISTS (SELECT 1 FROM customer_identities o WHERE o.customer_id = final.survivor AND o.kind = i.kind AND o.value = i.value);
--> statement-breakpoint
WITH RECURSIVE chain(id, survivor) AS (
	SELECT id, merged_into_id FROM customers WHERE merged_into_id IS NOT NULL
	UNION ALL
	SELECT chain.id, c.merged_into_id FROM chain JOIN customers c ON c.id = chain.survivor WHERE c.merged_into_id IS NOT NULL
), final AS (
	SELECT chain.id, chain.survivor FROM chain JOIN customers c ON c.id = chain.survivor WHERE c.merged_into_id IS NULL
)
UPDATE channel_messages m SET customer_id = final.survivor FROM final WHERE m.customer_id = final.id;
