/** An inventory's findings with the VEX analysis editor, on the inventory page (issue 10). */
export function InventoryFindings({ inventoryId: _inventoryId }: { inventoryId: string }) {
  return null;
}
